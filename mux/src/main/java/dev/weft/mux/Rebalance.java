package dev.weft.mux;

import java.time.Duration;

/**
 * When to move sessions off a stream whose round trip degraded: its smoothed RTT must exceed
 * both {@code factor} times and {@code margin} more than the best live stream's, at
 * {@code patience} consecutive ping intervals. The two thresholds and the patience are the
 * hysteresis that keeps sessions from flapping between streams of similar quality.
 */
public record Rebalance(double factor, Duration margin, int patience) {
  public Rebalance {
    if (factor < 1 || margin.isNegative() || patience < 1) {
      throw new IllegalArgumentException("need factor >= 1, margin >= 0, patience >= 1");
    }
  }

  /** Twice as slow and 20 ms worse, three intervals in a row. */
  public static Rebalance standard() {
    return new Rebalance(2.0, Duration.ofMillis(20), 3);
  }

  /** Whether {@code srtt} is degraded compared with {@code bestSrtt} (both in nanoseconds). */
  boolean degraded(long srtt, long bestSrtt) {
    return srtt > bestSrtt * factor && srtt - bestSrtt > margin.toNanos();
  }
}
