package dev.weft.mux;

import java.time.Duration;

/**
 * Finds the peer's streams that went silent long before the ping timeout would, and moves their
 * sessions to a healthy stream: a stream whose peer owes an answer and says nothing for
 * {@code suspectAfter} probe timeouts is suspect (see {@link Liveness}). Its sessions resume on
 * another stream (failover by Resume, so nothing is lost whether the silent one comes back or
 * not); it stays attached and probed, and is healthy again once anything arrives on it. New
 * sessions avoid suspect streams while a healthy one exists. The check runs every half probe
 * floor, only while some stream owes an answer: an idle table has no timer. Runs on the table's
 * executor.
 */
final class SilentPaths {
  private final SessionTable table;
  private final Migrations migrations;
  private final Timers timers;
  private final MuxConfig config;
  private final long period;
  private boolean watching;
  private long due;
  private boolean skipped;

  SilentPaths(SessionTable table, Migrations migrations, Timers timers) {
    this.table = table;
    this.migrations = migrations;
    this.timers = timers;
    this.config = table.config();
    this.period = config.probeFloor().toNanos() / 2;
  }

  /** A stream started owing an answer: check every period until none does. */
  void watch() {
    if (watching || config.suspectAfter() == 0 || table.closed()) {
      return;
    }
    watching = true;
    due = table.nanoTime() + period;
    timers.silenceCheck(period, this::check);
  }

  private void check() {
    watching = false;
    long now = table.nanoTime();
    // A check that ran late (a pause: GC, a stalled machine) judges nothing: answers that came
    // meanwhile may not have been read yet. The next one does, even if late too (a busy
    // executor), and silence is measured by the clock, so the skipped one is not lost.
    boolean timely = now - due <= period || skipped;
    skipped = !timely;
    boolean again = false;
    for (MuxStream stream : table.attachedStreams()) {
      Liveness liveness = stream.liveness();
      if (!stream.live() || !liveness.owed()) {
        continue;
      }
      again = true;
      if (!timely) {
        continue;
      }
      long pto = stream.pto(config.probeFloor().toNanos());
      switch (liveness.check(now, pto, config.suspectAfter(), config.pingInterval().toNanos())) {
        case PROBE -> stream.ping();
        case SUSPECTED -> {
          stream.ping();
          table.listener().streamSuspicion(stream.stats(), Duration.ofNanos(liveness.silence(now)));
        }
        case NOTHING -> { }
      }
    }
    moveOffSuspects();
    if (again) {
      watch();
    }
  }

  /** A suspect stream brought a frame: it is healthy again (its moved sessions stay where they are). */
  void answered(MuxStream stream) {
    table.listener().streamSuspicion(stream.stats(), Duration.ZERO);
  }

  /** Sessions on suspect streams resume on a healthy one, if there is one (a new stream may be it). */
  void moveOffSuspects() {
    MuxStream best = table.best(Integer.MAX_VALUE);
    if (config.failoverGrace().isZero() || best == null || best.liveness().suspect()) {
      return; // no healthy stream (the best one is suspect only when all are)
    }
    for (MuxStream stream : table.attachedStreams()) {
      if (stream.live() && stream.liveness().suspect() && stream.sessions() > 0) {
        migrations.leave(stream);
      }
    }
  }
}
