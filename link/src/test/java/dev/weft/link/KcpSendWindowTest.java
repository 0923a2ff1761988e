package dev.weft.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The send window's rule, fed the RTTs a path would show (KcpBulkTest runs it on a whole path). */
class KcpSendWindowTest {
  private static final int MAX = 2287;
  private final KcpSendWindow window = new KcpSendWindow(MAX);
  private int now;

  /** One round trip of {@code srtt} ms later, with a sender that always has more waiting: the window then. */
  private int round(int srtt) {
    now += srtt;
    return window.next(now, srtt, Integer.MAX_VALUE);
  }

  @Test
  void startsSmallDoublesWhileTheRttHoldsAndBacksOffOnceItQueues() {
    assertEquals(KcpSendWindow.MIN_SEGMENTS, window.next(0, 0, Integer.MAX_VALUE), "before any RTT");
    assertEquals(128, round(50));
    assertEquals(256, round(50));
    assertEquals(512, round(60));
    assertEquals(1024, round(70));
    assertEquals(716, round(120), "past twice the base: 0.7x");
    assertEquals(716, round(55), "the next decision waits for a round trip at the RTT measured then");
    assertEquals(895, round(70), "then a quarter per round trip");
    assertEquals(895, round(90), "between 1.5x and 2x the base: held");
  }

  @Test
  void neverAboveTheConfiguredWindowNorGrowsWithoutDemand() {
    for (int i = 0; i < 20; i++) {
      round(50);
    }
    assertEquals(MAX, round(50));
    KcpSendWindow idle = new KcpSendWindow(MAX);
    for (int t = 0; t < 2000; t += 10) {
      idle.next(t, 50, 3);
    }
    assertEquals(KcpSendWindow.MIN_SEGMENTS, idle.next(2000, 50, 3), "three segments waiting: no reason to grow");
  }

  @Test
  void aShortPathsClockNoiseDoesNotPinItAtTheMinimum() {
    round(2);
    for (int i = 0; i < 10; i++) {
      round(i % 2 == 0 ? 2 : 18); // KCP's 10 ms updates at each end, nothing queued
    }
    assertTrue(window.next(now, 2, Integer.MAX_VALUE) > 1000, "the window stayed small on a 2 ms path");
  }

  @Test
  void aFewRoundsThatReadLowDoNotMakeThePathsOwnRttLookLikeAQueue() {
    for (int i = 0; i < 40; i++) {
      round(i % 20 == 7 ? 28 : 55); // two rounds of 40 read far below the path's 50 ms
    }
    int held = round(59);
    assertTrue(held > 1000, "59 ms on a 50 ms path shrank the window to " + held);
    assertEquals(held * 7 / 10, round(115), "a real queue still shrinks it");
  }
}
