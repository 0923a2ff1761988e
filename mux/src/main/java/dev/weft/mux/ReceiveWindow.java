package dev.weft.mux;

/**
 * Receive-side credit of one session. Credit is granted as the application consumes, in batches
 * (once half the window has been consumed), as an absolute limit {@code consumed + window}. The
 * window starts at what the peer's {@link Budget} offered and doubles, up to a maximum and as far
 * as the budget lets it grow, after each whole window during which the sender ran out of credit
 * while the reader kept up: then the window, not the reader or the path, limits throughput.
 *
 * <p>A sender out of credit sends exactly up to its limit, so it shows as Data ending at a limit
 * we granted, arriving when the reader has taken everything before it. This needs no round-trip
 * time: a path that stalls delivery (TCP recovering a lost segment holds back everything behind
 * it) makes each window take several round trips, yet the sender still waited for credit, and a
 * larger window is what keeps it sending through the next stall. A sender held back by its own
 * stream (the channel not writable) or its application stops elsewhere, and a slow reader leaves
 * bytes unconsumed, so neither grows the window.
 *
 * <p>The first time a session shows its sender waiting for credit, it is bulk: its window jumps
 * at once to its part (shared among the busy sessions) of what the peer's {@link PathWindow}
 * knows the path needs, when that is more than double, so a new bulk session reaches the rate
 * earlier ones had within a round trip. Idle and small sessions never get there and keep the
 * small first window.
 *
 * <p>A session that consumed a whole window within the last {@link #BUSY_NANOS} is busy; the
 * {@link Budget} caps a busy window at its fair share and this class shrinks one that is above
 * it, by granting less (an absolute limit already granted is never taken back).
 */
final class ReceiveWindow {
  /** How long after its last whole window a session still counts as busy. */
  static final long BUSY_NANOS = 1_000_000_000L;

  private final int max;
  private final Budget budget;
  private final PathWindow path;
  private int window;
  private long consumed;
  private long granted;
  /** The limit the latest grant replaced: a sender may still be stopped there. */
  private long previousLimit;
  private long epochStart;
  private long epochConsumed;
  /** The sender ran out of credit since the last whole window. */
  private boolean senderBlocked;
  private boolean busy;
  /** The sender has waited for credit once: the window was sized from the path. */
  private boolean bulk;

  ReceiveWindow(int initial, int max, Budget budget, PathWindow path, long nowNanos) {
    this.window = initial;
    this.max = max;
    this.budget = budget;
    this.path = path;
    this.granted = initial;
    this.previousLimit = initial;
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

  /**
   * Data ending at {@code end} arrived; {@code received} is what had arrived in order before it.
   * Notes whether it shows a sender that used all its credit while the reader kept up.
   */
  void arrived(long end, long received) {
    if (received == consumed && (end == granted || end == previousLimit)) {
      senderBlocked = true;
    }
  }

  /** Records {@code n} consumed bytes; returns true if a grant is now due. */
  boolean consume(long n, long nowNanos) {
    consumed += n;
    path.delivered(n, nowNanos);
    if (senderBlocked && !bulk) {
      bulk = true;
      busy(true);
      long pathShare = path.window(nowNanos) / budget.busySessions();
      if (!grow(Math.min(Math.max(pathShare, 2L * window), budget.fairShare()), nowNanos)) {
        grow(2L * window, nowNanos);
      }
      newEpoch(nowNanos);
    } else if (consumed - epochConsumed >= window) {
      busy(true);
      long share = budget.fairShare();
      if (window > share) {
        int shrunk = (int) Math.max(share, Math.min(window, Budget.MIN_WINDOW));
        budget.release(window - shrunk);
        window = shrunk;
      } else if (senderBlocked) {
        grow(2L * window, nowNanos);
      }
      newEpoch(nowNanos);
    }
    // Due once half a window of new room exists: consumption since the last grant plus any growth.
    return consumed + window - granted >= window / 2;
  }

  /**
   * Grows the window to {@code target} (at most the maximum) if that is more than it has and the
   * budget allows it; returns whether it grew.
   */
  private boolean grow(long target, long nowNanos) {
    int to = (int) Math.min(target, max);
    if (to <= window || !budget.grow(window, to)) {
      return false;
    }
    window = to;
    path.reached((long) to * budget.busySessions(), nowNanos);
    return true;
  }

  private void newEpoch(long nowNanos) {
    senderBlocked = false;
    epochStart = nowNanos;
    epochConsumed = consumed;
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
  Frame.Credit grant(long session) {
    if (consumed + window > granted) {
      previousLimit = granted;
      granted = consumed + window;
    }
    return new Frame.Credit(session, consumed, window);
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
