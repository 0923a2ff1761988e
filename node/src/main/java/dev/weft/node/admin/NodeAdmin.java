package dev.weft.node.admin;

import dev.weft.identity.IdText;
import dev.weft.identity.Identity;
import dev.weft.link.Endpoint;
import dev.weft.link.Stream;
import dev.weft.link.StreamId;
import dev.weft.mux.Direction;
import dev.weft.mux.MigrationException;
import dev.weft.mux.Session;
import dev.weft.mux.SessionId;
import dev.weft.mux.StreamStats;
import dev.weft.node.Expose;
import dev.weft.node.Forward;
import dev.weft.node.HostPort;
import dev.weft.node.LinkedPeer;
import dev.weft.node.Node;
import dev.weft.node.NodeStatus;
import dev.weft.node.Subscription;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The admin API's view of a {@link Node}: ids read from text, answers built as rows, and the
 * mux's migration refusals turned into the failures {@link NodeControl} promises.
 */
public final class NodeAdmin implements NodeControl {
  /** How long a ping waits for each stream's Pong: a stream that stays silent shows -1. */
  static final Duration PING_TIMEOUT = Duration.ofSeconds(5);
  private static final Comparator<StreamInfo> BY_OPENING =
      Comparator.comparing(StreamInfo::opened, Comparator.nullsLast(Comparator.naturalOrder()));

  private final Node node;

  public NodeAdmin(Node node) {
    this.node = node;
  }

  @Override
  public NodeStatus status() {
    return node.status();
  }

  @Override
  public List<PeerInfo> peers() {
    return node.peers().stream().filter(LinkedPeer::linked)
        .map(p -> new PeerInfo(p.identity(), p.streams().size(), p.sessions().size(),
            p.linkedSince(), node.knownEndpoints(p.identity()).stream().map(Endpoint::toString).toList()))
        .toList();
  }

  @Override
  public List<StreamInfo> streams() {
    return node.peers().stream().flatMap(p -> p.streams().stream().map(s -> row(p, s)))
        .sorted(BY_OPENING).toList();
  }

  private static StreamInfo row(LinkedPeer p, Stream s) {
    Optional<StreamStats> m = p.stats(s.id());
    return new StreamInfo(s.id().toString(), p.identity(), s.transport().scheme(),
        HostPort.of(s.localAddress()).toString(), HostPort.of(s.remoteAddress()).toString(),
        s.initiator(), m.map(StreamStats::attached).orElse(null),
        m.map(StreamStats::srtt).map(NodeAdmin::micros).orElse(-1L),
        m.map(StreamStats::sessions).orElse(0),
        m.map(t -> t.suspect() ? "suspect" : t.ready() ? "live" : "attaching").orElse("attaching"));
  }

  private static long micros(Duration d) {
    return d.toNanos() / 1000;
  }

  @Override
  public List<SessionInfo> sessions() {
    return node.peers().stream().flatMap(p -> p.sessions().stream().map(s -> row(p, s)))
        .sorted(Comparator.comparing(SessionInfo::opened)).toList();
  }

  private static SessionInfo row(LinkedPeer p, Session s) {
    return new SessionInfo(s.id().toString(), p.identity(), s.service(), IdText.of(s.streamId()),
        s.state().name(), s.direction() == Direction.INBOUND, s.created(),
        Math.max(0, System.currentTimeMillis() - s.created().toEpochMilli()), s.bytesIn(), s.bytesOut(),
        s.queuedBytes(), s.migrations());
  }

  @Override
  public SessionInfo session(String id) {
    SessionId session = SessionId.parse(id);
    LinkedPeer p = node.peerOfSession(session);
    return row(p, live(p, session));
  }

  @Override
  public void reset(String id, String reason) {
    SessionId session = SessionId.parse(id);
    live(node.peerOfSession(session), session).reset(reason);
  }

  private static Session live(LinkedPeer p, SessionId id) {
    return p.session(id).orElseThrow(() -> new NoSuchElementException("no session " + id));
  }

  @Override
  public CompletableFuture<StreamInfo> link(Identity peer, String endpoint) {
    // Only this stream's row: building every stream's would make each link cost O(streams).
    return node.link(peer, Endpoint.parse(endpoint)).thenApply(stream -> {
      LinkedPeer p = node.peer(peer).filter(linked -> linked.stream(stream.id()).isPresent())
          .orElseThrow(() -> new IllegalStateException("stream " + stream.id() + " closed at once"));
      return row(p, stream);
    });
  }

  @Override
  public CompletableFuture<Void> unlink(String stream, boolean drain) {
    return migrationOf(node.unlink(StreamId.parse(stream), drain));
  }

  @Override
  public List<Expose> exposes() {
    return node.exposes();
  }

  @Override
  public void expose(Expose expose) {
    node.expose(expose);
  }

  @Override
  public void unexpose(String service) {
    node.unexpose(service);
  }

  @Override
  public List<Forward> forwards() {
    return node.forwards();
  }

  @Override
  public CompletableFuture<Forward> forward(Forward forward) {
    return node.forward(forward);
  }

  @Override
  public CompletableFuture<Void> unforward(int port) {
    return node.unforward(port);
  }

  @Override
  public CompletableFuture<SessionInfo> migrate(String session, String stream) {
    SessionId id = SessionId.parse(session);
    LinkedPeer p = node.peerOfSession(id);
    return migrationOf(node.migrate(id, StreamId.parse(stream))).thenApply(pause -> row(p, live(p, id)));
  }

  @Override
  public CompletableFuture<Integer> migrateAll(String from, String to) {
    return migrationOf(node.migrateAll(StreamId.parse(from), StreamId.parse(to)));
  }

  /**
   * Migration refusals are conflicts with the session's state, not network failures; a peer that
   * did not answer in time is a timeout (the session stays where it was).
   */
  private static <T> CompletableFuture<T> migrationOf(CompletableFuture<T> migration) {
    return migration.exceptionallyCompose(e -> {
      Throwable cause = FutureFailure.cause(e);
      return CompletableFuture.failedFuture(cause instanceof MigrationException m ? refusal(m) : cause);
    });
  }

  private static Exception refusal(MigrationException m) {
    Exception e = m.timedOut() ? new TimeoutException(m.getMessage())
        : new IllegalStateException(m.getMessage());
    e.initCause(m);
    return e;
  }

  @Override
  public CompletableFuture<Session> open(Identity peer, String service) {
    return node.open(peer, service);
  }

  /** One Ping per stream, all at once; a stream that does not answer in time shows -1. */
  @Override
  public CompletableFuture<List<PingResult>> ping(Identity peer) {
    LinkedPeer p = node.peer(peer).filter(LinkedPeer::linked).orElseThrow(
        () -> new NoSuchElementException("no stream to " + peer.shortText()));
    List<CompletableFuture<PingResult>> pings = p.streams().stream()
        .sorted(Comparator.comparing(s -> row(p, s), BY_OPENING))
        .map(s -> p.ping(s.id()).orTimeout(PING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            .handle((rtt, failed) -> new PingResult(s.id().toString(), s.transport().scheme(),
                failed == null ? micros(rtt) : -1L)))
        .toList();
    return CompletableFuture.allOf(pings.toArray(CompletableFuture[]::new))
        .thenApply(all -> pings.stream().map(CompletableFuture::join).toList());
  }

  @Override
  public Subscription subscribe(int capacity, boolean traffic) {
    return node.subscribe(capacity, traffic);
  }

  @Override
  public byte[] metrics() {
    return node.metrics().scrape();
  }
}
