package dev.weft.mux;

/**
 * Share of a stream's recent Pings not answered within a limit (the ping interval): late or never.
 * Over a reliable transport a Ping is never dropped, only held up, so this is the loss the
 * sessions feel: a path that loses packets and retransmits, or one that went silent (whose
 * smoothed RTT alone would stay at its last good value).
 */
final class PingLoss {
  private static final int RECENT = 16;

  private final long[] sent = new long[RECENT];
  /** Round trip of each recent Ping, or -1 while unanswered. */
  private final long[] rtt = new long[RECENT];
  private int next;
  private int count;

  void sent(long id) {
    sent[next] = id;
    rtt[next] = -1;
    next = (next + 1) % RECENT;
    count = Math.min(count + 1, RECENT);
  }

  void answered(long id, long roundTrip) {
    for (int i = 0; i < count; i++) {
      if (sent[i] == id) {
        rtt[i] = roundTrip;
      }
    }
  }

  /** Late or unanswered share of the Pings old enough to judge, 0..1. */
  double loss(long now, long limit) {
    int judged = 0;
    int lost = 0;
    for (int i = 0; i < count; i++) {
      boolean late = rtt[i] < 0 ? now - sent[i] > limit : rtt[i] > limit;
      if (rtt[i] >= 0 || late) {
        judged++;
      }
      if (late) {
        lost++;
      }
    }
    return judged == 0 ? 0 : (double) lost / judged;
  }
}
