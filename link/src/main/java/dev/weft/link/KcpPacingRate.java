package dev.weft.link;

/**
 * The rate a KCP conversation in bulk paces its datagrams at: {@link #GAIN} times the path's
 * bandwidth, taken as the highest delivery rate (bytes acknowledged over one smoothed RTT) of the
 * last {@link #ROUNDS} round trips, after BBR's estimate. It is not a congestion control (the
 * window, {@link KcpSendWindow}, still decides what is in flight): it spreads bursts.
 *
 * <p>Why: KCP sends whatever its window allows the moment an ACK opens it, hundreds of datagrams
 * back to back, and after a hole is filled a whole window at once. A router's queue is shallow
 * (the emulated WAN's device holds 500 packets) and dropped 6.5 % of them at 0 % path loss, which
 * KCP then resent and which held its window at the hole. At twice the rate the path delivers, a
 * sender that is merely ACK-clocked is never held back, and the pacer's own queue, which KCP's RTT
 * counts as path delay, stays short: a burst of a window leaves in half the time the path takes
 * to carry it. (Pacing at the delivery rate itself, as BBR does, needs BBR's window too, and a
 * window sized from a rate that its own pacer queue slowed spiralled down to 2 MB/s.) Confined
 * to the conversation's event loop.
 */
final class KcpPacingRate {
  static final int ROUNDS = 10;
  static final int GAIN = 2;
  /** Delivery counts kept, one per update interval: 1.28 s of history at 10 ms. */
  private static final int HISTORY = 128;

  private final int[] sampledAt = new int[HISTORY];
  private final long[] deliveredAt = new long[HISTORY];
  private int samples;
  private final long[] roundMax = new long[ROUNDS];
  private int round;
  private int roundEnd;

  /**
   * One update interval passed at {@code now} (ms): {@code srtt} is KCP's smoothed RTT (0 before
   * the first), {@code delivered} the bytes acknowledged so far, {@code bulk} whether the sender
   * has more waiting than it can send at once. Returns the pacing rate in bytes per second, at
   * least {@code floor}; 0 when the sender is not in bulk (nothing to pace: a lone request or
   * ACKs go out at once).
   */
  long next(int now, int srtt, long delivered, boolean bulk, long floor) {
    int slot = samples++ % HISTORY;
    sampledAt[slot] = now;
    deliveredAt[slot] = delivered;
    if (srtt <= 0) {
      return 0;
    }
    long sample = deliveryRate(now, srtt, delivered);
    // A sender with little waiting shows its own rate, not the path's: only a higher one counts.
    if (bulk || sample > bandwidth()) {
      roundMax[round] = Math.max(roundMax[round], sample);
    }
    if (now - roundEnd >= 0) {
      roundEnd = now + srtt;
      round = (round + 1) % ROUNDS;
      roundMax[round] = 0;
    }
    return bulk ? Math.max(floor, GAIN * bandwidth()) : 0;
  }

  /** The path's bandwidth, bytes per second: the best delivery rate of the last rounds. */
  long bandwidth() {
    long best = 0;
    for (long rate : roundMax) {
      best = Math.max(best, rate);
    }
    return best;
  }

  /** Bytes per second acknowledged over the last smoothed RTT, or as much of it as is kept. */
  private long deliveryRate(int now, int srtt, long delivered) {
    int kept = Math.min(samples, HISTORY);
    int oldest = -1;
    for (int i = 1; i < kept; i++) {
      int slot = Math.floorMod(samples - 1 - i, HISTORY);
      if (now - sampledAt[slot] > srtt) {
        break;
      }
      oldest = slot;
    }
    if (oldest < 0 || now == sampledAt[oldest]) {
      return 0;
    }
    return (delivered - deliveredAt[oldest]) * 1000 / (now - sampledAt[oldest]);
  }
}
