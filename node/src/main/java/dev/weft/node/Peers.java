package dev.weft.node;

import dev.weft.identity.IdText;
import dev.weft.identity.Identity;
import dev.weft.link.CloseReason;
import dev.weft.link.Stream;
import dev.weft.mux.MemoryBudget;
import dev.weft.mux.MuxConfig;
import dev.weft.mux.SessionTable;
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
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every peer this node has now, by identity: its streams and its session table. A peer is linked
 * while it has at least one stream; the events say when the first one came and the last one went.
 * An entry lives while the peer has a stream, a session (failing over ones included) or a
 * relinking run, so identities that come and go cannot grow the table; known endpoints are kept
 * by the node apart from it.
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

  /** A new entry; its session table runs on {@code loop} if it is one of ours (else on the next one). */
  private LinkedPeer newPeer(Identity identity, EventLoop loop) {
    LinkedPeer[] created = new LinkedPeer[1];
    // Id halves and migration ties are decided by identity order, the same at both ends.
    SessionTable table = new SessionTable(loop != null ? loop : executors.next(), self.compareTo(identity) > 0, mux,
        services.acceptorFor(identity),
        new PeerEvents(identity, events, streamId -> created[0].readiness(streamId).complete(null),
            () -> relinker.wake(created[0]), () -> release(created[0])),
        StreamChooser.BEST_QUALITY, memory);
    created[0] = new LinkedPeer(identity, table);
    return created[0];
  }

  /** Adopts a stream whose handshake just completed; runs on its event loop before any read. */
  void attach(Stream stream) {
    boolean[] first = new boolean[1];
    // Added under the map's lock, so an entry being forgotten right now is never handed a stream.
    LinkedPeer peer = byIdentity.compute(stream.remote(), (id, known) -> {
      // The first stream's loop also runs the session table: no thread hop between them.
      LinkedPeer p = known != null ? known
          : newPeer(id, EventLoops.member(executors, stream.channel().eventLoop()));
      first[0] = p.add(stream, events.clock().instant());
      return p;
    });
    peer.mux().attach(stream.channel(), stream.id().value(), stream::close);
    events.publish(new Event.StreamOpened(events.clock().instant(), stream.id().toString(),
        peer.identity(), stream.transport().scheme(), HostPort.of(stream.remoteAddress()).toString(),
        stream.initiator()));
    if (first[0]) {
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
      release(peer);
    }
  }

  /**
   * Called whenever something that keeps an unlinked peer's entry ended (its last stream, a
   * session, the mux's hold on a stream, a relinking run): forgets the entry if nothing is left.
   * The check runs as its own task on the session table's loop, where no session can start
   * meanwhile, and never inside a mux callback.
   */
  void release(LinkedPeer peer) {
    if (peer.linked()) {
      return;
    }
    try {
      peer.mux().executor().execute(() -> forgetIfUnused(peer));
    } catch (RejectedExecutionException e) {
      LOG.debug("node stopping: {} is closed with the others", peer.identity().shortText());
    }
  }

  private void forgetIfUnused(LinkedPeer peer) {
    boolean[] forgotten = new boolean[1];
    byIdentity.computeIfPresent(peer.identity(), (id, current) -> {
      forgotten[0] = current == peer && peer.unused() && !relinker.running(id);
      return forgotten[0] ? null : current;
    });
    if (forgotten[0]) {
      peer.mux().close();
      peer.forgotten().complete(null);
      LOG.debug("forgot {}: no stream, session or relinking left", peer.identity().shortText());
    }
  }

  /** Completes when {@code stream}'s mux is attached at the other end too; fails if it closed first. */
  CompletableFuture<Void> readiness(Stream stream) {
    LinkedPeer peer = byIdentity.get(stream.remote());
    return peer != null ? peer.readiness(stream.id().value())
        : CompletableFuture.failedFuture(LinkedPeer.closedBeforeReady(stream.id().value()));
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
        .orElseThrow(() -> new NoSuchElementException("no stream " + IdText.of(streamId)));
  }

  /** The session with this id and its peer. */
  LinkedPeer peerOfSession(long sessionId) {
    return byIdentity.values().stream()
        .filter(p -> p.mux().sessions().stream().anyMatch(s -> s.id().value() == sessionId))
        .findFirst()
        .orElseThrow(() -> new NoSuchElementException("no session " + IdText.of(sessionId)));
  }

  int size() {
    return byIdentity.size();
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
