package dev.weft.node;

import dev.weft.identity.Identity;
import dev.weft.link.CloseReason;
import dev.weft.link.Stream;
import dev.weft.mux.MemoryBudget;
import dev.weft.mux.MuxConfig;
import dev.weft.mux.Peer;
import dev.weft.mux.Session;
import dev.weft.mux.StreamChooser;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every peer this node knows, by identity: its streams and its session table. A peer is linked
 * while it has at least one stream; the events say when the first one came and the last one went.
 */
final class Peers {
  private static final Logger LOG = LoggerFactory.getLogger(Peers.class);

  private final ConcurrentMap<Identity, LinkedPeer> byIdentity = new ConcurrentHashMap<>();
  private final Identity self;
  private final EventLoopGroup executors;
  private final MuxConfig mux;
  private final Services services;
  private final EventBus events;
  private final MemoryBudget memory;
  private final Relinker relinker;

  Peers(Identity self, EventLoopGroup executors, MuxConfig mux, MemoryBudget memory, Services services,
      EventBus events, Relinker relinker) {
    this.self = self;
    this.relinker = relinker;
    this.memory = memory;
    this.executors = executors;
    this.mux = mux;
    this.services = services;
    this.events = events;
  }

  /** The peer's entry, created (with its session table) on first use. */
  LinkedPeer of(Identity identity) {
    return of(identity, null);
  }

  /** As above; a new session table runs on {@code loop} if it is one of ours (else on the next one). */
  private LinkedPeer of(Identity identity, EventLoop loop) {
    return byIdentity.computeIfAbsent(identity, id -> {
      LinkedPeer[] created = new LinkedPeer[1];
      // Id halves and migration ties are decided by identity order, the same at both ends.
      Peer table = new Peer(loop != null ? loop : executors.next(), self.compareTo(id) > 0, mux,
          services.acceptorFor(id),
          new PeerEvents(id, events, streamId -> created[0].readiness(streamId).complete(null),
              () -> relinker.wake(created[0])),
          StreamChooser.BEST_QUALITY, memory);
      created[0] = new LinkedPeer(id, table);
      return created[0];
    });
  }

  /** Adopts a stream whose handshake just completed; runs on its event loop before any read. */
  void attach(Stream stream) {
    // The first stream's loop also runs the session table: no thread hop between them.
    LinkedPeer peer = of(stream.remote(), EventLoops.member(executors, stream.channel().eventLoop()));
    long id = stream.id().value();
    peer.readiness(id);
    boolean first = peer.add(stream, events.clock().instant());
    peer.mux().attach(stream.channel(), id);
    events.publish(new Event.StreamOpened(events.clock().instant(), stream.id().toString(),
        peer.identity(), stream.transport().scheme(), HostPort.of(stream.remoteAddress()).toString(),
        stream.initiator()));
    if (first) {
      events.publish(new Event.PeerLinked(events.clock().instant(), peer.identity()));
    }
    stream.closeFuture().thenAccept(reason -> detach(peer, stream, reason));
  }

  private void detach(LinkedPeer peer, Stream stream, CloseReason reason) {
    boolean last = peer.remove(stream);
    LOG.info("stream {} to {} closed: {}", stream.id(), peer.identity().shortText(), reason);
    events.publish(new Event.StreamClosed(events.clock().instant(), stream.id().toString(),
        peer.identity(), reason.toString()));
    if (last) {
      events.publish(new Event.PeerUnlinked(events.clock().instant(), peer.identity()));
      relinker.wake(peer);
    }
  }

  Optional<LinkedPeer> get(Identity identity) {
    return Optional.ofNullable(byIdentity.get(identity));
  }

  List<LinkedPeer> all() {
    return byIdentity.values().stream().sorted((a, b) -> a.identity().compareTo(b.identity()))
        .toList();
  }

  /** The live stream with this id and its peer. */
  LinkedPeer peerOfStream(long streamId) {
    return byIdentity.values().stream().filter(p -> p.stream(streamId) != null).findFirst()
        .orElseThrow(() -> new NoSuchElementException("no stream " + PeerEvents.id(streamId)));
  }

  /** The session with this id and its peer. */
  LinkedPeer peerOfSession(long sessionId) {
    return byIdentity.values().stream()
        .filter(p -> p.mux().sessions().stream().anyMatch(s -> s.id().value() == sessionId))
        .findFirst()
        .orElseThrow(() -> new NoSuchElementException("no session " + PeerEvents.id(sessionId)));
  }

  int sessionCount() {
    return byIdentity.values().stream().mapToInt(p -> p.mux().sessionCount()).sum();
  }

  List<Session> sessions() {
    return byIdentity.values().stream().flatMap(p -> p.mux().sessions().stream()).toList();
  }

  /** Resets every session with SHUTTING_DOWN; streams are closed by their owner. */
  CompletableFuture<Void> close() {
    return CompletableFuture.allOf(byIdentity.values().stream().map(p -> p.mux().close())
        .toArray(CompletableFuture[]::new));
  }
}
