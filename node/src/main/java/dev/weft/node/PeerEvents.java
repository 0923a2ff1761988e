package dev.weft.node;

import dev.weft.identity.IdText;
import dev.weft.identity.Identity;
import dev.weft.mux.Direction;
import dev.weft.mux.PeerListener;
import dev.weft.mux.Reason;
import dev.weft.mux.Session;
import dev.weft.mux.SessionId;
import dev.weft.mux.SessionResetException;
import dev.weft.mux.SessionState;
import dev.weft.mux.StreamStats;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns one peer's mux callbacks into node events, and tells the node's entry what changed. */
final class PeerEvents implements PeerListener {
  private static final Logger LOG = LoggerFactory.getLogger(PeerEvents.class);

  /** What else one peer's table changes in the node: its entry's state and the node's indexes. */
  interface Effects {
    /** The mux at the other end attached {@code streamId} too: it can carry sessions. */
    void streamReady(long streamId);

    void sessionOpened(long sessionId);

    /** A session closed or was reset: the entry may be unused now. */
    void sessionEnded(long sessionId);

    /** A session started waiting for a new stream. */
    void failingOver();

    /** A session's Resume found no stream it has not gone out on unanswered: a new one is needed. */
    void resumeStranded();

    /** A stream went silent: if all did, the peer is linked again. */
    void streamSuspected();

    /** The table let go of a stream: the entry may be unused now. */
    void streamReleased();
  }

  private final Identity peer;
  private final EventBus bus;
  private final Effects effects;
  private final NodeMetrics metrics;
  /** Session id → the stream it lost, while it fails over. */
  private final Map<Long, Long> failingOver = new ConcurrentHashMap<>();
  /** Sessions in a migration this node asked for (the peer's requests are answered at once). */
  private final Set<Long> migrating = ConcurrentHashMap.newKeySet();

  PeerEvents(Identity peer, EventBus bus, Effects effects, NodeMetrics metrics) {
    this.peer = peer;
    this.bus = bus;
    this.effects = effects;
    this.metrics = metrics;
  }

  @Override
  public void streamAttached(StreamStats stream) {
    effects.streamReady(stream.id());
  }

  /** The link's stream-closed event cannot say why the mux closed a stream: the log does. */
  @Override
  public void streamDetached(long streamId, String reason) {
    if (!"closed".equals(reason)) {
      LOG.info("stream {} to {} closed by the session layer: {}", IdText.of(streamId), peer.shortText(), reason);
    }
    effects.streamReleased();
  }

  @Override
  public void streamSuspicion(StreamStats stream, Duration silence) {
    LOG.info("stream {} to {} {}", IdText.of(stream.id()), peer.shortText(), stream.suspect()
        ? "is suspect: nothing heard for " + silence.toMillis() + " ms with an answer owed" : "answers again");
    bus.publish(new Event.StreamSuspicion(bus.clock().instant(), IdText.of(stream.id()), peer,
        stream.suspect(), silence.toMillis()));
    if (stream.suspect()) {
      effects.streamSuspected();
    }
  }

  @Override
  public void sessionOpened(Session s) {
    metrics.sessionOpened(s.direction());
    effects.sessionOpened(s.id().value());
    bus.publish(new Event.SessionOpened(bus.clock().instant(), s.id().toString(), peer,
        s.service(), IdText.of(s.streamId()), s.direction() == Direction.INBOUND));
  }

  @Override
  public void sessionRejected(SessionId id, String service, Reason reason, Direction direction) {
    metrics.sessionRejected(direction, reason);
    // Inbound refusals are evented by the node's acceptor, which knows the detailed reason.
    if (direction == Direction.OUTBOUND) {
      bus.publish(new Event.SessionRejected(bus.clock().instant(), peer, service,
          "the peer refused: " + reason));
    }
  }

  @Override
  public void sessionRefused(SessionId id, String service, String why) {
    bus.publish(new Event.SessionRejected(bus.clock().instant(), peer, service, why));
  }

  @Override
  public void sessionClosed(Session s) {
    ended(s, true);
    bus.publish(new Event.SessionClosed(bus.clock().instant(), s.id().toString(), peer, "closed"));
    effects.sessionEnded(s.id().value());
  }

  @Override
  public void sessionReset(Session s, SessionResetException cause) {
    ended(s, false);
    bus.publish(new Event.SessionClosed(bus.clock().instant(), s.id().toString(), peer,
        cause.getMessage()));
    effects.sessionEnded(s.id().value());
  }

  private void ended(Session s, boolean cleanly) {
    metrics.sessionEnded(cleanly);
    migrating.remove(s.id().value());
    if (failingOver.remove(s.id().value()) != null) {
      metrics.failoverLost();
    }
  }

  private NodeMetrics.Side side(Session s) {
    return migrating.remove(s.id().value()) ? NodeMetrics.Side.REQUESTED : NodeMetrics.Side.ANSWERED;
  }

  @Override
  public void migrationStarted(Session s, long from, long to) {
    if (s.state() == SessionState.MIGRATING) {
      migrating.add(s.id().value());
    }
    bus.publish(new Event.MigrationStarted(bus.clock().instant(), s.id().toString(), IdText.of(from), IdText.of(to)));
  }

  @Override
  public void migrationDone(Session s, long from, long to, Duration pause) {
    metrics.migrationDone(side(s), pause);
    bus.publish(new Event.MigrationDone(bus.clock().instant(), s.id().toString(), IdText.of(from), IdText.of(to),
        pause.toNanos() / 1000));
  }

  @Override
  public void migrationFailed(Session s, long from, long to, String why) {
    metrics.migrationFailed(side(s));
    bus.publish(new Event.MigrationFailed(bus.clock().instant(), s.id().toString(), IdText.of(from),
        IdText.of(to), why));
  }

  @Override
  public void failoverStarted(Session s, long from, String why) {
    if (failingOver.put(s.id().value(), from) == null) {
      metrics.failoverStarted();
    }
    bus.publish(new Event.FailoverStarted(bus.clock().instant(), s.id().toString(), IdText.of(from), why));
    effects.failingOver();
  }

  @Override
  public void resumeStranded(Session s) {
    effects.resumeStranded();
  }

  @Override
  public void failoverDone(Session s, long to, Duration took) {
    Long from = failingOver.remove(s.id().value());
    metrics.failoverResumed(took);
    bus.publish(new Event.FailoverDone(bus.clock().instant(), s.id().toString(),
        from == null ? null : IdText.of(from), IdText.of(to), took.toMillis()));
  }
}
