package dev.weft.mux;

import dev.weft.identity.IdText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Moves sessions between streams of one peer: marker-based migration and resume after a stream
 * dies. Correctness rests on absolute offsets (the receiver reorders by offset and drops what it
 * already has, credit limits are absolute), so the markers only decide when each side switches
 * the stream it sends on. Runs on the peer's executor.
 */
final class Migrations {
  /**
   * A peer's migration request waiting for its target to become ready here; {@code sameMove} is
   * this side's own request for the same move, if it yielded to the peer's.
   */
  private record Request(MuxStream on, Session session, long target, Session.Migration sameMove) {}

  private final SessionTable table;
  /** By session id: one deferred answer per session, however often the peer asks. */
  private final Map<Long, Request> awaitingTarget = new LinkedHashMap<>();

  Migrations(SessionTable table) {
    this.table = table;
  }

  /** Starts a migration this side asked for. */
  void start(Session s, SessionId id, long target, CompletableFuture<Duration> result) {
    MuxStream to = table.stream(target);
    String refusal = s == null ? "no session " + id
        : s.state() != SessionState.OPEN ? "session " + id + " is " + s.state() + ", not OPEN"
        : to == null ? "stream " + IdText.of(target) + " is not attached to this peer"
        : !to.live() ? "stream " + IdText.of(target) + " is not live"
        : to == s.stream() ? "session " + id + " is already on stream " + IdText.of(target)
        : null;
    if (refusal != null) {
      result.completeExceptionally(new MigrationException(refusal));
      return;
    }
    MuxStream from = s.stream();
    Session.Migration m = new Session.Migration(from, to, result);
    long timeout = table.config().migrateTimeout().toNanos();
    m.timer = table.executor().schedule(() -> timedOut(s, m), timeout, TimeUnit.NANOSECONDS);
    s.migration = m;
    s.moveTo(SessionState.MIGRATING);
    // Written after every Data this session already handed to the old stream: the marker.
    from.send(new Frame.Migrate(id.value(), target, Frame.Migrate.Kind.REQUEST));
    table.listener().migrationStarted(s, from.id(), target);
  }

  void onMigrate(MuxStream on, Frame.Migrate marker) {
    Session s = peerSession(marker.session());
    if (s == null) {
      if (marker.kind() == Frame.Migrate.Kind.REQUEST) {
        on.send(new Frame.Reset(marker.session(), Reason.PROTOCOL_ERROR, "migration of unknown session"));
      }
      return;
    }
    Session.Migration mine = s.migration;
    switch (marker.kind()) {
      case REQUEST -> {
        if (mine != null) {
          if (table.highSide()) {
            return; // simultaneous migrations: the high side's wins and the peer will accept it
          }
          yieldTo(s, mine, marker.stream());
        }
        // Both asked for the same move: ours is done too, once we send on the target.
        respond(on, s, marker.stream(), mine != null && mine.to.id() == marker.stream() ? mine : null);
      }
      case ACCEPT -> {
        if (mine != null && mine.to.id() == marker.stream()) {
          finish(s, mine);
        }
      }
      case REFUSE -> {
        if (mine != null && mine.to.id() == marker.stream()) {
          abandon(s, mine, new MigrationException("peer refused the migration"));
          reopen(s);
        }
      }
    }
  }

  /**
   * This (low) side drops its own request for the peer's; with the same target it still succeeds,
   * once the answer to the peer has switched the session.
   */
  private void yieldTo(Session s, Session.Migration mine, long peerTarget) {
    s.migration = null;
    mine.timer.cancel(false);
    s.moveTo(SessionState.OPEN);
    if (mine.to.id() != peerTarget) {
      String why = "superseded by the peer's migration to stream " + IdText.of(peerTarget);
      mine.done.completeExceptionally(new MigrationException(why));
      table.listener().migrationFailed(s, mine.from.id(), mine.to.id(), why);
    }
  }

  /** Responder: marker back on the old stream after our last data there, then switch at once. */
  private void respond(MuxStream on, Session s, long target, Session.Migration sameMove) {
    MuxStream to = table.stream(target);
    if (s.state() == SessionState.OPEN && to != null && !to.live() && !to.closed()) {
      // The target is attached here but the peer's Hello on it has not arrived yet: the peer saw
      // ours first and may ask at once. Answer when it is ready (or gone).
      Request previous = awaitingTarget.put(s.id().value(), new Request(on, s, target, sameMove));
      if (previous != null && previous.sameMove() != null) {
        previous.sameMove().done.completeExceptionally(
            new MigrationException("superseded by the peer's next migration request"));
      }
      return;
    }
    respond(on, s, target);
    if (sameMove != null && s.streamId() == target) {
      sameMove.done.complete(Duration.ofNanos(System.nanoTime() - sameMove.started));
    } else if (sameMove != null) {
      sameMove.done.completeExceptionally(new MigrationException("stream "
          + IdText.of(target) + " is no longer live"));
    }
  }

  private void respond(MuxStream on, Session s, long target) {
    MuxStream to = table.stream(target);
    long sid = s.id().value();
    if (s.state() != SessionState.OPEN || to == null || !to.live()) {
      on.send(new Frame.Migrate(sid, target, Frame.Migrate.Kind.REFUSE));
      return;
    }
    MuxStream from = s.stream();
    from.send(new Frame.Migrate(sid, target, Frame.Migrate.Kind.ACCEPT));
    if (to == from) {
      return;
    }
    table.listener().migrationStarted(s, from.id(), target);
    s.sendOn(to);
    s.moved();
    s.wakeStream();
    table.listener().migrationDone(s, from.id(), target, Duration.ZERO);
  }

  private void finish(Session s, Session.Migration m) {
    s.migration = null;
    m.timer.cancel(false);
    s.sendOn(m.to);
    s.moved();
    s.moveTo(SessionState.OPEN);
    s.wakeStream();
    Duration pause = Duration.ofNanos(System.nanoTime() - m.started);
    m.done.complete(pause);
    table.listener().migrationDone(s, m.from.id(), m.to.id(), pause);
  }

  private void timedOut(Session s, Session.Migration m) {
    if (s.migration == m) {
      abandon(s, m, new MigrationException(
          "peer did not answer within " + table.config().migrateTimeout().toMillis() + " ms", true));
      reopen(s);
    }
  }

  private void abandon(Session s, Session.Migration m, MigrationException why) {
    s.migration = null;
    m.timer.cancel(false);
    m.done.completeExceptionally(why);
    table.listener().migrationFailed(s, m.from.id(), m.to.id(), why.getMessage());
  }

  /** Back to sending on the current stream, if it still lives (else failover owns the session). */
  private void reopen(Session s) {
    if (s.failover == null && s.state() == SessionState.MIGRATING) {
      s.moveTo(SessionState.OPEN);
      s.wakeStream();
    }
  }

  // ---- failover and resume ----

  /** A stream closed: its sessions wait for another stream (or end if failover is off). */
  void streamLost(MuxStream lost, List<Session> sessions) {
    answerAwaiting();
    String reason = lost.closeReason();
    for (Session s : sessions) {
      Session.Migration m = s.migration;
      if (m != null && (m.to == lost || m.from == lost)) {
        abandon(s, m, new MigrationException(
            "stream " + IdText.of(lost.id()) + " closed during the migration: " + reason));
        if (m.to == lost) {
          reopen(s);
        }
      }
      if (s.stream() == lost) {
        failover(s, lost, reason);
      }
    }
  }

  private void failover(Session s, MuxStream lost, String reason) {
    if (s.state() == SessionState.OPENING) {
      s.terminate(Reason.STREAM_LOST, "stream closed before the peer answered: " + reason, false);
      return;
    }
    s.sendOn(null);
    if (s.failover != null) {
      s.failover.resumeSent = false; // the stream carrying our Resume died: try another
      tryResume(s);
      return;
    }
    Duration grace = table.config().failoverGrace();
    if (grace.isZero()) {
      s.terminate(Reason.STREAM_LOST, "stream closed (" + reason + ") and failover is disabled", false);
      return;
    }
    if (s.state() == SessionState.OPEN) {
      s.moveTo(SessionState.MIGRATING);
    }
    s.failover = new Session.Failover(table.executor().schedule(() -> s.terminate(Reason.STREAM_LOST,
        "no stream to the peer within the " + grace.toMillis() + " ms grace period", true),
        grace.toNanos(), TimeUnit.NANOSECONDS));
    table.listener().failoverStarted(s, lost.id(), reason);
    tryResume(s);
  }

  /** A stream became ready: sessions waiting for one resume on it. */
  void streamReady() {
    answerAwaiting();
    for (Session s : table.sessions()) {
      if (s.failover != null && !s.failover.resumeSent) {
        tryResume(s);
      }
    }
  }

  private void tryResume(Session s) {
    MuxStream to = table.best(Integer.MAX_VALUE);
    if (to != null) {
      s.sendOn(to);
      s.failover.resumeSent = true;
      to.send(s.resumeState());
    }
  }

  void onResume(MuxStream on, Frame.Resume resume) {
    Session s = peerSession(resume.session());
    if (s == null) {
      on.send(new Frame.Reset(resume.session(), Reason.STREAM_LOST, "no such session to resume"));
      return;
    }
    if (s.state() == SessionState.OPENING) {
      s.protocolError("Resume of a session that is not open yet");
      return;
    }
    Session.Failover waiting = s.failover;
    boolean answered = waiting != null && waiting.resumeSent;
    if (!s.resumeFrom(resume)) {
      return;
    }
    if (!answered) {
      on.send(s.resumeState());
    }
    if (s.migration != null) {
      abandon(s, s.migration, new MigrationException(
          "superseded by a resume on stream " + IdText.of(on.id())));
    }
    long before = s.streamId();
    if (waiting == null && before != 0 && before != on.id()) {
      // The peer noticed the loss first: listeners still see where the session failed over from.
      table.listener().failoverStarted(s, before, "the peer resumed it on stream " + IdText.of(on.id()));
    }
    s.sendOn(on);
    s.moved();
    s.failover = null;
    if (s.state() == SessionState.MIGRATING) {
      s.moveTo(SessionState.OPEN);
    }
    s.wakeStream();
    Duration took = Duration.ZERO;
    if (waiting != null) {
      waiting.deadline.cancel(false);
      took = Duration.ofNanos(System.nanoTime() - waiting.started);
    }
    table.listener().failoverDone(s, on.id(), took);
  }

  /** Answers the deferred requests whose target became ready or went away. */
  private void answerAwaiting() {
    List<Request> due = new ArrayList<>();
    awaitingTarget.values().removeIf(r -> {
      MuxStream to = table.stream(r.target());
      boolean decided = to == null || to.live() || to.closed() || r.session().state() != SessionState.OPEN;
      if (decided) {
        due.add(r);
      }
      return decided;
    });
    for (Request r : due) {
      respond(r.on(), r.session(), r.target(), r.sameMove());
    }
  }

  private Session peerSession(long id) {
    return table.session(new SessionId(id)).orElse(null);
  }
}
