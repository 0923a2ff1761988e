package dev.weft.mux;

/**
 * The memory one peer may make us buffer: the sum of all its sessions' receive windows, within
 * its share of the node's receive memory ({@link NodeScope#receiveMemory()}). It also decides how large
 * a window is, so that as many sessions as the peer may open all fit:
 *
 * <ul>
 *   <li>A new session is offered the budget left divided by the sessions the peer may still open
 *       (counting the new one), capped at the configured initial window and never below
 *       {@link #MIN_WINDOW}; it is refused only when not even that fits.</li>
 *   <li>A window grows only while what is left afterwards still holds {@link #MIN_WINDOW} for
 *       every session the peer may still open, and only up to its fair share: the budget divided
 *       among the peer's busy sessions (those that consumed a whole window lately). A busy
 *       session's window above its share shrinks back to it, so many bulk sessions end up with
 *       equal windows (and equal throughput) whoever started first, while one bulk session among
 *       idle ones may still take most of the budget.</li>
 * </ul>
 *
 * <p>So until windows grow, every session up to the cap gets at least {@code budget / cap}, and a
 * lone session still starts at the initial window and grows to the maximum. "Left" is the smaller
 * of this peer's budget and what its node share may still take (see {@link SharedLimit}). Confined to the table's executor.
 */
final class Budget {
  /** Smallest window offered (unless the initial window is smaller): half of it is one grant. */
  static final int MIN_WINDOW = 4 * 1024;

  private final long limit;
  private final SharedLimit.Share shared;
  private final int maxWindows;
  private long used;
  private int windows;
  private int busy;

  /** @param maxWindows sessions the peer may have at once, each holding one window */
  Budget(long limit, SharedLimit.Share shared, int maxWindows) {
    this.limit = limit;
    this.shared = shared;
    this.maxWindows = maxWindows;
  }

  /** Reserves the window of a new session; returns its size, or 0 if the budget cannot hold one. */
  int open(int initialWindow) {
    int floor = Math.min(initialWindow, MIN_WINDOW);
    long left = left();
    long share = left / Math.max(1, maxWindows - windows);
    int window = (int) Math.min(initialWindow, Math.max(floor, share));
    if (window > left || !reserve(window)) {
      return 0;
    }
    windows++;
    return window;
  }

  /**
   * Reserves what growing a window from {@code from} to {@code to} bytes takes, if {@code to} is
   * within the fair share and enough stays for the sessions still to come.
   */
  boolean grow(long from, long to) {
    long reserved = (long) Math.max(0, maxWindows - windows) * MIN_WINDOW;
    return to <= fairShare() && left() - (to - from) >= reserved && reserve(to - from);
  }

  /** The largest window a busy session may grow to: the budget split among the busy sessions. */
  long fairShare() {
    return limit / busySessions();
  }

  /** Sessions busy now (at least 1, for dividing by). */
  int busySessions() {
    return Math.max(1, busy);
  }

  /** A session became busy (true) or went quiet (false). */
  void busy(boolean now) {
    busy += now ? 1 : -1;
  }

  /** Gives back part of a window that shrank, or a session's whole window when it ends. */
  void release(long bytes) {
    used -= bytes;
    shared.release(bytes);
  }

  /** Gives a session's whole window back. */
  void close(long window) {
    windows--;
    release(window);
  }

  long used() {
    return used;
  }

  private long left() {
    return Math.min(limit - used, shared.available());
  }

  private boolean reserve(long bytes) {
    if (used + bytes > limit || !shared.reserve(bytes)) {
      return false;
    }
    used += bytes;
    return true;
  }
}
