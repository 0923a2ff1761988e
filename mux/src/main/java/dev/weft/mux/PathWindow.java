package dev.weft.mux;

import java.util.function.LongSupplier;

/**
 * What one peer's path is known to carry, so that a session that turns out to be bulk starts
 * near the window the path needs instead of doubling up to it from its small first window: at
 * 50 ms RTT, 32 KiB → 1.2 MB is six round trips, and under loss each takes several, while the
 * link's congestion control, starved meanwhile, lowers its own estimate of the path.
 *
 * <p>Two things are known, both for this peer across all its streams and sessions together: the
 * largest window its busy sessions reached in the last {@link #MEMORY_NANOS} (a window that grew,
 * times the sessions busy then: windows grow only while their senders wait for credit and the
 * readers keep up, so that is what the path needed), and the bytes the peer's
 * sessions delivered in the last whole second times the streams' lowest round trip, twice over
 * (a bandwidth-delay product, with room for the path to do better than it was asked to). Holds
 * two numbers per peer, whatever its sessions; confined to the table's executor.
 */
final class PathWindow {
  /** How long a window reached is remembered: a new bulk session after an idle while still uses it. */
  static final long MEMORY_NANOS = 10L * 60 * 1_000_000_000L;
  private static final long SECOND_NANOS = 1_000_000_000L;

  /** The smallest minimum RTT of the peer's live streams, in nanoseconds; 0 when unknown. */
  private final LongSupplier minRtt;
  private long reached;
  private long reachedAt;
  private long secondStart;
  private long secondBytes;
  /** Bytes a second the peer's sessions delivered over the last whole second measured. */
  private long rate;

  PathWindow(LongSupplier minRtt, long nowNanos) {
    this.minRtt = minRtt;
    this.secondStart = nowNanos;
  }

  /** The busy sessions' windows grew to {@code window} in all, because the path needed it. */
  void reached(long window, long nowNanos) {
    if (window >= reached || nowNanos - reachedAt > MEMORY_NANOS) {
      reached = window;
      reachedAt = nowNanos;
    }
  }

  /** One of the peer's sessions consumed {@code bytes}. */
  void delivered(long bytes, long nowNanos) {
    long elapsed = nowNanos - secondStart;
    if (elapsed >= SECOND_NANOS) {
      rate = elapsed < 2 * SECOND_NANOS ? secondBytes * SECOND_NANOS / elapsed : 0; // a gap: no recent rate
      secondStart = nowNanos;
      secondBytes = 0;
    }
    secondBytes += bytes;
  }

  /** The windows the peer's bulk sessions need in all now; 0 when nothing is known. */
  long window(long nowNanos) {
    long remembered = nowNanos - reachedAt <= MEMORY_NANOS ? reached : 0;
    long rtt = minRtt.getAsLong();
    long bdp = rtt <= 0 || rate == 0 ? 0 : 2 * (long) ((double) rate * rtt / SECOND_NANOS);
    return Math.max(remembered, bdp);
  }
}
