package dev.weft.node;

import dev.weft.identity.IdText;
import dev.weft.identity.Identity;
import dev.weft.link.CloseReason;
import dev.weft.link.Stream;
import dev.weft.mux.Acceptance;
import dev.weft.mux.Acceptor;
import dev.weft.mux.MuxConfig;
import dev.weft.mux.NodeScope;
import dev.weft.mux.Reason;
import dev.weft.mux.SessionTable;
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
  /** Live stream id → its peer: put as a stream is adopted, removed as it closes. */
  private final ConcurrentMap<Long, LinkedPeer> byStream = new ConcurrentHashMap<>();
  /**
   * Open session id → its peer: kept by each table's callbacks (on that table's loop) from the
   * session's opening to its end, failover included. Removals name the peer, so a session of
   * another peer with the same id (a peer picks the ids of the sessions it opens) stays.
   */
  private final ConcurrentMap<Long, LinkedPeer> bySession = new ConcurrentHashMap<>();
  private final Identity self;
  private final EventLoopGroup executors;
  private final MuxConfig mux;
  private final ExposedServices services;
  private final EventBus events;
  private final NodeScope scope;
  private final Relinker relinker;
  private final NodeMetrics metrics;

  Peers(Identity self, EventLoopGroup executors, MuxConfig mux, NodeScope scope, ExposedServices services,
      EventBus events, Relinker relinker, NodeMetrics metrics) {
    this.metrics = metrics;
    this.self = self;
    this.relinker = relinker;
    this.scope = scope;
    this.executors = executors;
    this.mux = mux;
    this.services = services;
    this.events = events;
  }

  /** A new entry; its session table runs on {@code loop} if it is one of ours (else on the next one). */
  private LinkedPeer newPeer(Identity identity, EventLoop loop) {
    LinkedPeer[] created = new LinkedPeer[1];
    PeerEvents.Effects effects = new PeerEvents.Effects() {
      @Override
      public void streamReady(long streamId) {
        created[0].readiness(streamId).complete(null);
      }

      @Override
      public void sessionOpened(long sessionId) {
        bySession.putIfAbsent(sessionId, created[0]); // the first holder keeps an id (see below)
      }

      @Override
      public void sessionEnded(long sessionId) {
        bySession.remove(sessionId, created[0]);
        release(created[0]);
      }

      @Override
      public void failingOver() {
        relinker.wake(created[0]);
      }

      @Override
      public void resumeStranded() {
        created[0].stranded(true);
        relinker.wake(created[0]);
      }

      @Override
      public void streamSuspected() {
        relinker.wake(created[0]);
      }

      @Override
      public void streamReleased() {
        release(created[0]);
      }
    };
    // Id halves and migration ties are decided by identity order, the same at both ends.
    SessionTable table = new SessionTable(loop != null ? loop : executors.next(), self.compareTo(identity) > 0, mux,
        idsUniqueOnThisNode(created, services.acceptorFor(identity)), new PeerEvents(identity, events, effects, metrics),
        StreamChooser.BEST_QUALITY, scope);
    created[0] = new LinkedPeer(identity, table);
    return created[0];
  }

  /**
   * Refuses a Query whose session id another peer's open session has here, before {@code decide}
   * sees it: ids are per peer pair on the wire, but an operator names a session by its id alone,
   * so a peer must not be able to shadow another's (an honest collision is a 2^-63 chance). The
   * id is claimed for this peer while the query is decided, so two peers cannot race for it.
   */
  private Acceptor idsUniqueOnThisNode(LinkedPeer[] peer, Acceptor decide) {
    return query -> {
      long id = query.id().value();
      LinkedPeer holder = bySession.putIfAbsent(id, peer[0]);
      if (holder != null && holder != peer[0]) {
        LOG.debug("refused session {} from {}: the id is in use with {}", query.id(),
            peer[0].identity().shortText(), holder.identity().shortText());
        return Acceptance.reject(Reason.PROTOCOL_ERROR);
      }
      Acceptance decision = decide.decide(query);
      if (!decision.accepted() && holder == null) {
        bySession.remove(id, peer[0]);
      }
      return decision;
    };
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
    byStream.put(stream.id().value(), peer);
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
    byStream.remove(stream.id().value(), peer);
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

  /** The peer of the live stream with this id. */
  LinkedPeer peerOfStream(long streamId) {
    return found(byStream.get(streamId), "no stream " + IdText.of(streamId));
  }

  /** The peer of the open session with this id. */
  LinkedPeer peerOfSession(long sessionId) {
    return found(bySession.get(sessionId), "no session " + IdText.of(sessionId));
  }

  private static LinkedPeer found(LinkedPeer peer, String otherwise) {
    if (peer == null) {
      throw new NoSuchElementException(otherwise);
    }
    return peer;
  }

  /** Counts across all peers, for the node's status. */
  record Load(int linked, int streams, int sessions, int busiestStreams, int busiestSessions) {}

  /** The counts in one pass over the peers, none over their sessions. */
  Load load() {
    int linked = 0;
    int sessions = 0;
    int busiestStreams = 0;
    int busiestSessions = 0;
    for (LinkedPeer p : byIdentity.values()) {
      int streams = p.streamCount();
      int open = p.mux().sessionCount();
      linked += streams > 0 ? 1 : 0;
      sessions += open;
      busiestStreams = Math.max(busiestStreams, streams);
      busiestSessions = Math.max(busiestSessions, open);
    }
    return new Load(linked, byStream.size(), sessions, busiestStreams, busiestSessions);
  }

  /** Resets every session with SHUTTING_DOWN; streams are closed by their owner. */
  CompletableFuture<Void> close() {
    return CompletableFuture.allOf(byIdentity.values().stream().map(p -> p.mux().close())
        .toArray(CompletableFuture[]::new));
  }
}
