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

  /** An unanswered Resume goes out again after this many round trips of its stream... */
  private static final int RESEND_RTTS = 3;
  /** ...but not sooner than this (a fast path's peer may still be busy)... */
  private static final Duration RESEND_FLOOR = Duration.ofMillis(200);
  /** ...or after this on a stream without an RTT sample. */
  private static final Duration RESEND_UNMEASURED = Duration.ofSeconds(1);
  /** Re-sends by timer per failover: enough to try every stream a peer usually has. */
  private static final int MAX_RESENDS = 4;

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
      forgetOwnResume(s, lost); // its answer can no longer come
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
      tryResume(s, waiting); // the stream carrying our Resume died: try another at once
      return;
    }
    if (table.config().failoverGrace().isZero()) {
      s.terminate(Reason.STREAM_LOST, "stream closed (" + reason + ") and failover is disabled", false);
      return;
    }
    Move.Failover f = new Move.Failover();
    f.deadline = timers.failoverDeadline(s);
    s.failingOver();
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

  /**
   * Sends our Resume on the best live stream it has not gone out on yet, and sends it again
   * elsewhere if no answer comes within a few round trips of that stream: a stream that died
   * without either side noticing yet (a zombie) swallows it, and the peer, which may not have
   * noticed any loss, would never answer. With no such stream the next ready one takes it.
   */
  private void tryResume(Session s, Move.Failover f) {
    f.cancelResend();
    MuxStream to = table.best(stream -> s.ownResumesOn == null || !s.ownResumesOn.contains(stream));
    f.resumeSent = to != null;
    if (to == null) {
      table.listener().resumeStranded(s);
      return;
    }
    s.sendOn(to);
    if (s.ownResumesOn == null) {
      s.ownResumesOn = new ArrayList<>(2);
    }
    s.ownResumesOn.add(to);
    to.send(s.resumeState());
    if (f.resends < MAX_RESENDS) {
      f.resend = timers.resumeResend(this, s, f, resendAfter(to));
    }
  }

  /** Our Resume got no answer in time: once more on another stream. */
  void resendDue(Session s, Move.Failover f) {
    if (s.move == f) {
      f.resend = null;
      f.resends++;
      tryResume(s, f);
    }
  }

  /** {@value #RESEND_RTTS} smoothed round trips of the stream, at least the floor; a guess without a sample. */
  private static Duration resendAfter(MuxStream on) {
    Duration srtt = on.stats().srtt();
    if (srtt == null) {
      return RESEND_UNMEASURED;
    }
    Duration wait = srtt.multipliedBy(RESEND_RTTS);
    return wait.compareTo(RESEND_FLOOR) < 0 ? RESEND_FLOOR : wait;
  }

  void onResume(MuxStream on, Frame.Resume resume) {
    Session s = table.session(resume.session());
    if (s == null) {
      on.send(new Frame.Reset(resume.session(), Reason.STREAM_LOST, "no such session to resume"));
      return;
    }
    if (s.state() == SessionState.OPENING) {
      // The peer accepted our Query and resumed elsewhere while its Response is still on the way
      // (or lost with a suspect stream): nothing to resume from yet. Left unanswered, the peer
      // sends its Resume again, and it is answered once the session is open.
      return;
    }
    Move.Failover waiting = s.move instanceof Move.Failover f ? f : null;
    // The answer to our own Resume, or the two crossed on this stream: either way it needs none.
    // Any other is answered here, whatever we sent elsewhere: had we not, and ours been lost
    // with its stream, the peer would wait for it for good.
    boolean answer = forgetOwnResume(s, on);
    if (s.staleResume(resume)) {
      // Overtaken by the peer's later frames on another stream (a stalled stream came back): its
      // offsets are history. Answered all the same, so the peer stops waiting on that stream.
      if (!answer) {
        on.send(s.resumeState());
      }
      return;
    }
    // Every Resume re-sends everything unacknowledged: the same one again where the last rewind
    // happened (a peer repeating itself) only acknowledges, else a 20-byte frame repeated would
    // make this side send its whole window each time.
    boolean rewind = waiting != null || s.resumedOn != on || s.stream() != on;
    if (!s.resumeFrom(resume, rewind)) {
      return;
    }
    if (rewind) {
      s.resumedOn = on;
    }
    if (!answer) {
      on.send(s.resumeState());
    }
    if (waiting == null && (answer || !rewind)) {
      s.wakeStream(); // the failover already ended here: re-send from its offset where we send
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

  /** Drops {@code on} from the streams our own Resumes of {@code s} wait on; true if it was one. */
  private static boolean forgetOwnResume(Session s, MuxStream on) {
    if (s.ownResumesOn == null || !s.ownResumesOn.remove(on)) {
      return false;
    }
    if (s.ownResumesOn.isEmpty()) {
      s.ownResumesOn = null;
    }
    return true;
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
