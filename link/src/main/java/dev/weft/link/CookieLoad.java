package dev.weft.link;

import java.util.function.IntSupplier;

/**
 * Whether a {@link Linker}'s KCP listeners are under load, so that a new source must prove with a
 * cookie that it can receive before it costs handshake work (docs/protocol.md §2.3): while more than
 * {@code threshold} datagrams a second start conversations without a cookie (this second or the
 * last, so a flood keeps it on), or while the pending handshakes are at half their cap or more.
 *
 * <p>Datagrams answered with a cookie count too: a spoofed flood keeps the node under load for as
 * long as it lasts, and none of it takes a token from the addresses it forges.
 */
final class CookieLoad {
  private static final long SECOND = 1_000_000_000L;

  private final int threshold;
  private final IntSupplier pending;
  private final int maxPending;
  private long window;
  private int thisWindow;
  private int lastWindow;

  CookieLoad(int threshold, IntSupplier pending, int maxPending) {
    this.threshold = threshold;
    this.pending = pending;
    this.maxPending = maxPending;
  }

  /**
   * Counts a datagram that would start a conversation without a cookie; true if the node is under
   * load. {@code starting}: conversations let in but not yet counted as pending handshakes.
   */
  synchronized boolean unverified(long nowNanos, int starting) {
    long now = Math.floorDiv(nowNanos, SECOND);
    if (now != window) {
      lastWindow = now == window + 1 ? thisWindow : 0;
      thisWindow = 0;
      window = now;
    }
    thisWindow++;
    return thisWindow > threshold || lastWindow > threshold || 2 * (pending.getAsInt() + starting) >= maxPending;
  }
}
