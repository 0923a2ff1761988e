package dev.weft.mux;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * A session's move to another stream, under way: at most one per session, created and ended
 * by {@link Migrations}. Confined to the table's executor.
 */
sealed interface Move permits Move.Migration, Move.Failover {
  /** Stops its timer: the move ended, one way or another. */
  void cancelTimer();

  /** A marker migration this side asked for, not answered yet (state MIGRATING). */
  final class Migration implements Move {
    final MuxStream from;
    final MuxStream to;
    final CompletableFuture<Duration> done;
    final long started = System.nanoTime();
    ScheduledFuture<?> timeout;

    Migration(MuxStream from, MuxStream to, CompletableFuture<Duration> done) {
      this.from = from;
      this.to = to;
      this.done = done;
    }

    Duration elapsed() {
      return Duration.ofNanos(System.nanoTime() - started);
    }

    @Override
    public void cancelTimer() {
      timeout.cancel(false);
    }
  }

  /** The session's stream died: waiting for another stream, then for the peer's Resume (state FAILING_OVER). */
  final class Failover implements Move {
    final long started = System.nanoTime();
    ScheduledFuture<?> deadline;
    /** Sends our Resume again on another stream if no answer came by then (null while none is due). */
    ScheduledFuture<?> resend;
    /** Re-sends by that timer so far (a stream closing under the Resume does not count). */
    int resends;
    boolean resumeSent;

    @Override
    public void cancelTimer() {
      deadline.cancel(false);
      cancelResend();
    }

    void cancelResend() {
      if (resend != null) {
        resend.cancel(false);
        resend = null;
      }
    }
  }
}
