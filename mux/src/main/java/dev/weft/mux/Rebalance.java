package dev.weft.mux;

import java.time.Duration;

/**
 * When to move sessions off a stream whose round trip degraded: its {@link StreamStats#score()
 * score} (smoothed RTT, inflated by ping loss) must exceed both {@code factor} times and
 * {@code margin} more than the best live stream's, at {@code patience} consecutive ping intervals;
 * and a session moved this way stays put for {@code cooldown}. The thresholds, the patience and
 * the cooldown are the hysteresis that keeps sessions from flapping between similar streams.
 */
public record Rebalance(double factor, Duration margin, int patience, Duration cooldown) {
  public Rebalance {
    if (factor < 1 || margin.isNegative() || patience < 1 || cooldown.isNegative()) {
      throw new IllegalArgumentException("need factor >= 1, margin >= 0, patience >= 1, cooldown >= 0");
    }
  }

  /** Twice as slow and 20 ms worse, three intervals in a row; a moved session stays 30 s. */
  public static Rebalance standard() {
    return new Rebalance(2.0, Duration.ofMillis(20), 3, Duration.ofSeconds(30));
  }

  /** Whether {@code score} is degraded compared with {@code bestScore} (both in nanoseconds). */
  boolean degraded(long score, long bestScore) {
    return score > bestScore * factor && score - bestScore > margin.toNanos();
  }
}
