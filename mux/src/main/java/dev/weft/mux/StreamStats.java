package dev.weft.mux;

import java.time.Duration;
import java.time.Instant;

/**
 * A snapshot of one attached stream.
 *
 * @param ready the peer's Hello arrived, so the peer has attached it too: it can carry sessions
 * @param srtt smoothed round-trip time, or null before the first Pong
 * @param minRtt lowest round-trip time seen, or null before the first Pong
 * @param loss share of the last 16 Pings not answered within a ping interval (late or never), 0..1
 * @param sessions sessions currently sending on this stream
 * @param suspect the peer owes an answer on it and has been silent for several probe timeouts:
 *     its sessions move to a healthy stream while it is probed (docs/protocol.md section 22)
 */
public record StreamStats(long id, boolean ready, Duration srtt, Duration minRtt, double loss, int sessions,
    Instant attached, boolean suspect) {
  /** How much worse one lost Ping in ten makes a stream: it counts as another smoothed RTT. */
  private static final double LOSS_WEIGHT = 10;

  /**
   * Quality as an expected delay in nanoseconds, lower is better: the smoothed RTT, inflated by
   * ping loss (a stream whose Pings stall is worse than its last RTT says); {@code Long.MAX_VALUE}
   * before the first measurement.
   */
  public long score() {
    return srtt == null ? Long.MAX_VALUE : (long) (srtt.toNanos() * (1 + LOSS_WEIGHT * loss));
  }
}
