package dev.weft.link;

import io.jpower.kcp.netty.Ukcp;

/**
 * KCP's minimum RTO, by what is in flight: nodelay's 30 ms while little is (a lone request's loss
 * costs about one more round trip), {@link #BULK_MILLIS} while a bulk transfer fills the window.
 *
 * <p>Why: KCP updates its smoothed RTT and variance on every ACK, thousands per round trip in
 * bulk, so the variance decays to nothing and the RTO becomes srtt + 10 ms. With no congestion
 * window the window fills the path's queue, whose delay swings by tens of ms within a round trip;
 * every swing past srtt + 10 ms resent segments that were only queued, the duplicates lengthened
 * the queue, and so on: on a simulated 50 ms, 25 MB/s path a 3 MiB window resent 18 MB for 29 MB
 * delivered (58 % of the path; bench/run once counted 56,505 timeout resends of 78,000 segments at
 * 0 % loss). In bulk a lost segment is found by fast resend anyway, so the RTO only covers a lost
 * tail, and TCP's 200 ms minimum does for that. ({@link KcpBulkTest}; kcp-netty offers no hook for
 * this: {@link KcpRuntimeTuning} applies it.)
 */
final class KcpRtoFloor {
  /** Segments waiting (queued or unacknowledged) above which a conversation is in bulk. */
  static final int BULK_SEGMENTS = 64;
  static final int BULK_MILLIS = 200;
  /** nodelay's own minimum. */
  static final int NODELAY_MILLIS = 30;

  private KcpRtoFloor() {}

  /** Sets {@code ukcp}'s minimum RTO for what it has in flight now. */
  static void adjust(Ukcp ukcp) {
    int floor = ukcp.waitSnd() > BULK_SEGMENTS ? BULK_MILLIS : NODELAY_MILLIS;
    if (ukcp.getMinRto() != floor) {
      ukcp.setMinRto(floor);
    }
  }
}
