package dev.weft.mux;

import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Every timer of one session table, in one place (after wireguard-go's timers.go). The table's
 * periodic work and each stream's pings run until {@link #stop}; a stream's pings also stop when
 * it detaches; the silence checks run only while a stream owes an answer. A session's timeouts belong to what they guard (an open, a {@link Move}) and are
 * cancelled when it completes or the session ends. All run on the table's executor.
 */
final class Timers {
  /**
   * How often sessions that consumed less than half a window since their last grant are told
   * anyway: once a second keeps idle senders from holding their last bytes, at a Credit per
   * session per second at most.
   */
  private static final Duration GRANT_SWEEP = Duration.ofSeconds(1);

  private final EventExecutor executor;
  private final MuxConfig config;
  private final List<ScheduledFuture<?>> periodic = new ArrayList<>();
  private final Map<MuxStream, ScheduledFuture<?>> pings = new HashMap<>();

  Timers(EventExecutor executor, MuxConfig config) {
    this.executor = executor;
    this.config = config;
  }

  /** The table's periodic work: the grant sweep, idle expiry if on, rebalancing if on. */
  void start(SessionTable table, Rebalancer rebalancer) {
    every(GRANT_SWEEP, table::sweepGrants);
    if (!config.idleTimeout().isZero()) {
      every(Duration.ofNanos(config.idleTimeout().toNanos() / 4), table::expireIdle);
    }
    if (rebalancer != null) {
      every(config.pingInterval(), rebalancer::check);
    }
  }

  /** Checks {@code stream}'s liveness and pings it every ping interval from attach until it detaches. */
  void startPings(MuxStream stream) {
    Duration timeout = config.pingTimeout();
    pings.put(stream, schedule(config.pingInterval(), config.pingInterval(), () -> stream.pingDue(timeout)));
  }

  void stopPings(MuxStream stream) {
    ScheduledFuture<?> pinger = pings.remove(stream);
    if (pinger != null) {
      pinger.cancel(false);
    }
  }

  /** The next check for silent streams, {@code period} nanoseconds from now (see SilentPaths). */
  void silenceCheck(long period, Runnable check) {
    executor.schedule(check, period, TimeUnit.NANOSECONDS);
  }

  /** An outbound open that gets no Response within the open timeout is reset. */
  ScheduledFuture<?> openTimeout(Session s) {
    return once(config.openTimeout(), () -> {
      if (s.state() == SessionState.OPENING) {
        s.terminate(Reason.TIMEOUT, "no answer within " + config.openTimeout().toMillis() + " ms", true);
      }
    });
  }

  /** A migration the peer does not answer within the migrate timeout is abandoned. */
  ScheduledFuture<?> migrateTimeout(Migrations migrations, Session s, Move.Migration m) {
    return once(config.migrateTimeout(), () -> migrations.timedOut(s, m));
  }

  /** A session with no stream again within the failover grace is reset. */
  ScheduledFuture<?> failoverDeadline(Session s) {
    Duration grace = config.failoverGrace();
    return once(grace, () -> s.terminate(Reason.STREAM_LOST,
        "no stream to the peer within the " + grace.toMillis() + " ms grace period", true));
  }

  /** Our Resume still unanswered after {@code wait} is sent again elsewhere. */
  ScheduledFuture<?> resumeResend(Migrations migrations, Session s, Move.Failover f, Duration wait) {
    return once(wait, () -> migrations.resendDue(s, f));
  }

  /** Cancels the periodic work and every stream's pings. */
  void stop() {
    periodic.forEach(f -> f.cancel(false));
    periodic.clear();
    pings.values().forEach(f -> f.cancel(false));
    pings.clear();
  }

  private void every(Duration period, Runnable task) {
    periodic.add(schedule(period, period, task));
  }

  private ScheduledFuture<?> once(Duration delay, Runnable task) {
    return executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  private ScheduledFuture<?> schedule(Duration first, Duration period, Runnable task) {
    return executor.scheduleAtFixedRate(task, first.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
  }
}
