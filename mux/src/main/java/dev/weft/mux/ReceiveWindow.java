package dev.weft.mux;

/**
 * Receive-side credit of one session. Credit is granted as the application consumes, in batches
 * (once half the window has been consumed), as an absolute limit {@code consumed + window}. The
 * window starts at what the peer's {@link Budget} offered and doubles, up to a maximum and as far
 * as the budget lets it grow, whenever a full window is consumed in under two round trips: then
 * the window, not the reader, limits throughput.
 *
 * <p>A session that consumed a whole window within the last {@link #BUSY_NANOS} is busy; the
 * {@link Budget} caps a busy window at its fair share and this class shrinks one that is above
 * it, by granting less (an absolute limit already granted is never taken back).
 *
 * <p>The round trip counted is at least {@link #MIN_RTT_NANOS}: the ping RTT of a fast link (tens
 * of microseconds on loopback) says nothing about how long a grant takes to come back once both
 * ends are busy, and with it the window of a bulk session never grew past its first size.
 */
final class ReceiveWindow {
  static final long MIN_RTT_NANOS = 5_000_000;
  /** How long after its last whole window a session still counts as busy. */
  static final long BUSY_NANOS = 1_000_000_000L;

  private final int max;
  private final Budget budget;
  private int window;
  private long consumed;
  private long granted;
  private long epochStart;
  private long epochConsumed;
  private boolean busy;

  ReceiveWindow(int initial, int max, Budget budget, long nowNanos) {
    this.window = initial;
    this.max = max;
    this.budget = budget;
    this.granted = initial;
    this.epochStart = nowNanos;
  }

  int window() {
    return window;
  }

  long consumed() {
    return consumed;
  }

  /** Highest offset (exclusive) the peer may send up to. */
  long limit() {
    return granted;
  }

  /** Records {@code n} consumed bytes; returns true if a grant is now due. */
  boolean consume(long n, long nowNanos, long rttNanos) {
    consumed += n;
    if (consumed - epochConsumed >= window) {
      busy(true);
      long share = budget.fairShare();
      if (window > share) {
        int shrunk = (int) Math.max(share, Math.min(window, Budget.MIN_WINDOW));
        budget.release(window - shrunk);
        window = shrunk;
      } else if (nowNanos - epochStart < 2 * Math.max(rttNanos, MIN_RTT_NANOS) && window < max) {
        int grown = (int) Math.min(max, 2L * window);
        if (budget.grow(window, grown)) {
          window = grown;
        }
      }
      epochStart = nowNanos;
      epochConsumed = consumed;
    }
    // Due once half a window of new room exists: consumption since the last grant plus any growth.
    return consumed + window - granted >= window / 2;
  }

  /** The peer's periodic sweep: a session without a whole window lately is no longer busy. */
  void sweep(long nowNanos) {
    if (busy && nowNanos - epochStart > BUSY_NANOS) {
      busy(false);
    }
  }

  private void busy(boolean now) {
    if (busy != now) {
      busy = now;
      budget.busy(now);
    }
  }

  /** Whether a grant would give the peer room it has not been told of. */
  boolean owed() {
    return consumed + window > granted;
  }

  /** The grant to send now; moves the limit. */
  Frame.Read grant(long session) {
    granted = Math.max(granted, consumed + window);
    return new Frame.Read(session, consumed, window);
  }

  /** Gives this window's memory back to the budget (once: later calls do nothing). */
  void release() {
    if (window > 0) {
      busy(false);
      budget.close(window);
      window = 0;
    }
  }
}
