package dev.weft.link;

import java.util.Arrays;

/**
 * KCP's send window, from the path's delay: KCP runs without a congestion window (losses must not
 * slow it down), so what it keeps in flight is its window, and a window above the path's
 * bandwidth-delay product only queues. On a simulated 50 ms path at 2.5 MB/s the fixed 3 MiB
 * window queued 1.2 s, timed out its own queued segments and delivered 45 % of the path;
 * this keeps the queue at most about one base round trip (after TCP Vegas and LEDBAT):
 *
 * <ul>
 *   <li>it starts at {@link #MIN_SEGMENTS} and doubles each round trip while the sender has more
 *       waiting than the window and the smoothed RTT stays below 1.5 × the base RTT (the low
 *       percentile of the round trips of the last {@link #BASE_MILLIS}, kept in two halves so it
 *       follows a path that got slower: {@link #lowRound});
 *   <li>once the RTT first exceeds twice the base, it shrinks to 0.7 × and from then on grows
 *       by a quarter per round trip under the same conditions, down again past twice the base.
 * </ul>
 *
 * <p>Each decision takes the least smoothed RTT seen during the round trip it closes, not the
 * RTT at that instant: KCP's 10 ms clock at each end swings its RTT by up to 20 ms with nothing
 * queued, and one such swing past twice the base (on a 50 ms path that held the window around
 * 1,100 of its 2,287 segments, at 21 MB/s of the wire's 51) is not a queue. A queue holds the
 * RTT up for the whole round. On a short path both thresholds are also at least the base plus
 * what that clock adds (20 ms, and 30 ms to shrink), else a LAN's RTT noise would hold the window
 * at its minimum.
 *
 * <p>Loss does not enter it (KCP's RTT comes from the segments that arrived), which is what KCP
 * is for; a TCP flow filling the same queue makes it yield rather than the other way round.
 * Confined to the conversation's event loop.
 */
final class KcpSendWindow {
  static final int MIN_SEGMENTS = 64;
  static final int BASE_MILLIS = 10_000;
  /** Round trips a half of the base period remembers (the latest, on a path under 20 ms). */
  static final int MAX_ROUNDS = 256;

  private final int max;
  private int window;
  private boolean startup = true;
  private int roundEnd;
  /** Least smoothed RTT since the last decision. */
  private int roundMin = Integer.MAX_VALUE;
  /** The least smoothed RTT of each round trip in the current half of the base period. */
  private final int[] rounds = new int[MAX_ROUNDS];
  private int roundCount;
  /** The base the previous half of the base period ended with; 0 before there was one. */
  private int basePrevious;
  private int halfStart;

  /** @param max the configured window, in segments: never more */
  KcpSendWindow(int max) {
    this.max = max;
    this.window = Math.min(MIN_SEGMENTS, max);
  }

  /**
   * One update interval passed at {@code now} (ms): {@code srtt} is KCP's smoothed RTT (0 before
   * the first), {@code waiting} the segments queued or unacknowledged. Returns the window to use.
   */
  int next(int now, int srtt, int waiting) {
    if (srtt <= 0) {
      return window;
    }
    roundMin = Math.min(roundMin, srtt);
    if (now - roundEnd < 0) {
      return window;
    }
    roundEnd = now + srtt;
    int rtt = roundMin;
    roundMin = Integer.MAX_VALUE;
    if (roundCount == 0) {
      halfStart = now;
    } else if (now - halfStart >= BASE_MILLIS / 2) {
      basePrevious = lowRound();
      roundCount = 0;
      halfStart = now;
    }
    rounds[roundCount++ % MAX_ROUNDS] = rtt;
    int base = basePrevious == 0 ? lowRound() : Math.min(lowRound(), basePrevious);
    // KCP's RTT moves by up to two update intervals with no queue at all (an ACK waits for the
    // next update at each end), which on a short path is several times the base itself.
    int jitter = 2 * KcpSettings.INTERVAL_MILLIS;
    if (rtt > Math.max(2 * base, base + jitter + KcpSettings.INTERVAL_MILLIS)) {
      window = Math.max(Math.min(MIN_SEGMENTS, max), window * 7 / 10);
      startup = false;
    } else if (waiting >= window && rtt < Math.max(3 * base / 2, base + jitter)) {
      window = (int) Math.min(max, startup ? 2L * window : window + Math.max(1, window / 4));
    }
    return window;
  }

  /**
   * The 10th percentile of this half's round minima: the base RTT without the few rounds whose
   * RTT reads low. kcp-netty reads its clock only at each update, so ACKs taken in while its event
   * loop is busy measure short: on a 50 ms path the smoothed RTT dipped to 28 ms, after which
   * 59 ms was past twice the base and the window shrank round after round down to its minimum,
   * a 4 MB/s run on a path that carries 40.
   */
  private int lowRound() {
    int[] kept = Arrays.copyOf(rounds, Math.min(roundCount, MAX_ROUNDS));
    Arrays.sort(kept);
    return kept[kept.length / 10];
  }
}
