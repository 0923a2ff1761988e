package dev.weft.mux;

import dev.weft.identity.IdText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Moves sessions between streams of one peer, and owns every {@link Move}: marker-based
 * migration, and failover with resume after a stream dies. Correctness rests on absolute offsets
 * (the receiver reorders by offset and drops what it already has, credit limits are absolute),
 * so the markers only decide when each side switches the stream it sends on. Runs on the table's
 * executor.
 */
final class Migrations {
  /**
   * A peer's migration request waiting for its target to become ready here; {@code sameMove} is
   * this side's own request for the same move, if it yielded to the peer's.
   */
  private record Request(MuxStream on, Session session, long target, Move.Migration sameMove) {}

  private final SessionTable table;
  private final Timers timers;
  /** By session id: one deferred answer per session, however often the peer asks. */
  private final Map<Long, Request> awaitingTarget = new LinkedHashMap<>();

  Migrations(SessionTable table, Timers timers) {
    this.table = table;
    this.timers = timers;
  }

  // ---- marker migration ----

  /** Starts a migration this side asked for. */
  void start(Session s, SessionId id, long target, CompletableFuture<Duration> result) {
    MuxStream to = table.stream(target);
    String refusal = s == null ? "no session " + id
        : !s.state().steady() ? "session " + id + " is " + s.state() + ", not open"
        : to == null ? "stream " + IdText.of(target) + " is not attached to this peer"
        : !to.live() ? "stream " + IdText.of(target) + " is not live"
        : to == s.stream() ? "session " + id + " is already on stream " + IdText.of(target)
        : null;
    if (refusal != null) {
      result.completeExceptionally(new MigrationException(refusal));
      return;
    }
    MuxStream from = s.stream();
    Move.Migration m = new Move.Migration(from, to, result);
    m.timeout = timers.migrateTimeout(this, s, m);
    s.move = m;
    s.moveTo(SessionState.MIGRATING);
    // Written after every Data this session already handed to the old stream: the marker.
    from.send(new Frame.Migrate(id.value(), target, Frame.Migrate.Kind.REQUEST));
    table.listener().migrationStarted(s, from.id(), target);
  }

  void onMigrate(MuxStream on, Frame.Migrate marker) {
    Session s = table.session(marker.session());
    if (s == null) {
      if (marker.kind() == Frame.Migrate.Kind.REQUEST) {
        on.send(new Frame.Reset(marker.session(), Reason.PROTOCOL_ERROR, "migration of unknown session"));
      }
      return;
    }
    Move.Migration mine = s.move instanceof Move.Migration m ? m : null;
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
        }
      }
    }
  }

  /**
   * This (low) side drops its own request for the peer's; with the same target it still succeeds,
   * once the answer to the peer has switched the session.
   */
  private void yieldTo(Session s, Move.Migration mine, long peerTarget) {
    end(s, mine);
    if (mine.to.id() != peerTarget) {
      String why = "superseded by the peer's migration to stream " + IdText.of(peerTarget);
      mine.done.completeExceptionally(new MigrationException(why));
      table.listener().migrationFailed(s, mine.from.id(), mine.to.id(), why);
    }
  }

  /** Responder: marker back on the old stream after our last data there, then switch at once. */
  private void respond(MuxStream on, Session s, long target, Move.Migration sameMove) {
    MuxStream to = table.stream(target);
    if (s.state().steady() && to != null && !to.live() && !to.closed()) {
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
      sameMove.done.complete(sameMove.elapsed());
    } else if (sameMove != null) {
      sameMove.done.completeExceptionally(new MigrationException("stream " + IdText.of(target) + " is no longer live"));
    }
  }

  private void respond(MuxStream on, Session s, long target) {
    MuxStream to = table.stream(target);
    long sid = s.id().value();
    if (!s.state().steady() || to == null || !to.live()) {
      on.send(new Frame.Migrate(sid, target, Frame.Migrate.Kind.REFUSE));
      return;
    }
    MuxStream from = s.stream();
    from.send(new Frame.Migrate(sid, target, Frame.Migrate.Kind.ACCEPT));
    if (to == from) {
      return;
    }
    table.listener().migrationStarted(s, from.id(), target);
    switchTo(s, to);
    table.listener().migrationDone(s, from.id(), target, Duration.ZERO);
  }

  private void finish(Session s, Move.Migration m) {
    s.sendOn(m.to);
    s.moved();
    end(s, m);
    Duration pause = m.elapsed();
    m.done.complete(pause);
    table.listener().migrationDone(s, m.from.id(), m.to.id(), pause);
  }

  void timedOut(Session s, Move.Migration m) {
    if (s.move == m) {
      abandon(s, m, new MigrationException(
          "peer did not answer within " + table.config().migrateTimeout().toMillis() + " ms", true));
    }
  }

  /** The migration failed: the session goes on where it was (if that stream died, failover follows). */
  private void abandon(Session s, Move.Migration m, MigrationException why) {
    end(s, m);
    m.done.completeExceptionally(why);
    table.listener().migrationFailed(s, m.from.id(), m.to.id(), why.getMessage());
  }

  // ---- failover and resume ----

  /** A stream closed: its sessions wait for another stream (or end if failover is off). */
  void streamLost(MuxStream lost, List<Session> sessions) {
    answerAwaiting();
    String reason = lost.closeReason();
    for (Session s : sessions) {
      if (s.ownResumeOn == lost) {
        s.ownResumeOn = null; // its answer can no longer come
      }
      if (s.move instanceof Move.Migration m && (m.to == lost || m.from == lost)) {
        abandon(s, m, new MigrationException(
            "stream " + IdText.of(lost.id()) + " closed during the migration: " + reason));
      }
      if (s.stream() == lost) {
        failover(s, lost, reason);
      }
    }
  }

  /**
   * A stream went silent while another is healthy (SilentPaths): its sessions resume elsewhere as
   * if it had closed, and it stays attached. Whatever still arrives on it is dropped by offset, so
   * nothing is lost either way; a session still opening there waits for its Response.
   */
  void leave(MuxStream silent) {
    String reason = "stream " + IdText.of(silent.id()) + " went silent";
    for (Session s : table.sessions()) {
      if (s.move instanceof Move.Migration m && (m.to == silent || m.from == silent)) {
        abandon(s, m, new MigrationException(reason + " during the migration"));
      }
      if (s.stream() == silent && s.state() != SessionState.OPENING) {
        failover(s, silent, reason);
      }
    }
  }

  private void failover(Session s, MuxStream lost, String reason) {
    if (s.state() == SessionState.OPENING) {
      s.terminate(Reason.STREAM_LOST, "stream closed before the peer answered: " + reason, false);
      return;
    }
    s.sendOn(null);
    if (s.move instanceof Move.Failover waiting) {
      waiting.resumeSent = false; // the stream carrying our Resume died: try another
      tryResume(s, waiting);
      return;
    }
    if (table.config().failoverGrace().isZero()) {
      s.terminate(Reason.STREAM_LOST, "stream closed (" + reason + ") and failover is disabled", false);
      return;
    }
    Move.Failover f = new Move.Failover();
    f.deadline = timers.failoverDeadline(s);
    s.move = f;
    s.moveTo(SessionState.FAILING_OVER);
    table.listener().failoverStarted(s, lost.id(), reason);
    tryResume(s, f);
  }

  /** A stream became ready: sessions waiting for one resume on it. */
  void streamReady() {
    answerAwaiting();
    for (Session s : table.sessions()) {
      if (s.move instanceof Move.Failover f && !f.resumeSent) {
        tryResume(s, f);
      }
    }
  }

  private void tryResume(Session s, Move.Failover f) {
    MuxStream to = table.best(Integer.MAX_VALUE);
    if (to != null) {
      s.sendOn(to);
      f.resumeSent = true;
      s.ownResumeOn = to;
      to.send(s.resumeState());
    }
  }

  void onResume(MuxStream on, Frame.Resume resume) {
    Session s = table.session(resume.session());
    if (s == null) {
      on.send(new Frame.Reset(resume.session(), Reason.STREAM_LOST, "no such session to resume"));
      return;
    }
    if (s.state() == SessionState.OPENING) {
      s.protocolError("Resume of a session that is not open yet");
      return;
    }
    if (s.resumedOn == on) {
      // Each Resume re-sends everything unacknowledged: one per stream is all a failover needs.
      s.protocolError("a second Resume on stream " + IdText.of(on.id()));
      return;
    }
    s.resumedOn = on;
    Move.Failover waiting = s.move instanceof Move.Failover f ? f : null;
    // The answer to our own Resume, or the two crossed on this stream: either way it needs none.
    // One that crossed ours on another stream is answered here, as ours will be there: had we
    // not, and ours been lost with its stream, the peer would wait for it for good.
    boolean answer = s.ownResumeOn == on;
    if (answer) {
      s.ownResumeOn = null;
    }
    if (!s.resumeFrom(resume)) {
      return;
    }
    if (!answer) {
      on.send(s.resumeState());
    }
    if (waiting == null && answer) {
      s.wakeStream(); // the failover already ended here on the peer's first Resume: re-send from its offset
      return;
    }
    if (s.move instanceof Move.Migration m) {
      abandon(s, m, new MigrationException("superseded by a resume on stream " + IdText.of(on.id())));
    }
    long before = s.streamId();
    if (waiting == null && before != 0 && before != on.id()) {
      // The peer noticed the loss first: listeners still see where the session failed over from.
      table.listener().failoverStarted(s, before, "the peer resumed it on stream " + IdText.of(on.id()));
    }
    if (waiting != null) {
      s.sendOn(on);
      s.moved();
      end(s, waiting);
    } else {
      switchTo(s, on);
    }
    table.listener().failoverDone(s, on.id(), waiting == null ? Duration.ZERO
        : Duration.ofNanos(System.nanoTime() - waiting.started));
  }

  /** The session ended with a move under way: the move ends too. */
  void sessionEnded(Session s) {
    if (s.move != null) {
      s.move.cancelTimer();
      if (s.move instanceof Move.Migration m) {
        m.done.completeExceptionally(new MigrationException("session " + s.id() + " ended"));
      }
      s.move = null;
    }
  }

  /** Moves a steady session to {@code to} at once (it keeps its state). */
  private void switchTo(Session s, MuxStream to) {
    s.sendOn(to);
    s.moved();
    s.wakeStream();
  }

  /** A move is over: its timer stops and the session settles back to a steady state. */
  private void end(Session s, Move move) {
    s.move = null;
    move.cancelTimer();
    s.settle();
  }

  /** Answers the deferred requests whose target became ready or went away. */
  private void answerAwaiting() {
    List<Request> due = new ArrayList<>();
    awaitingTarget.values().removeIf(r -> {
      MuxStream to = table.stream(r.target());
      boolean decided = to == null || to.live() || to.closed() || !r.session().state().steady();
      if (decided) {
        due.add(r);
      }
      return decided;
    });
    for (Request r : due) {
      respond(r.on(), r.session(), r.target(), r.sameMove());
    }
  }
}
