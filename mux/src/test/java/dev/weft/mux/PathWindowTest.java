package dev.weft.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What a peer's path is known to need: the windows its sessions reached, or its delivery rate × RTT. */
class PathWindowTest {
  private static final long SECOND = 1_000_000_000L;
  private long rtt;
  private final PathWindow path = new PathWindow(() -> rtt, 0);

  @Test
  void aWindowReachedIsRememberedForAWhileThenForgotten() {
    assertEquals(0, path.window(0), "nothing known");
    path.reached(1 << 20, SECOND);
    path.reached(1 << 18, 2 * SECOND);
    assertEquals(1 << 20, path.window(60 * SECOND), "the largest, after an idle minute");
    assertEquals(0, path.window(SECOND + PathWindow.MEMORY_NANOS + 1), "forgotten");
    path.reached(1 << 18, SECOND + PathWindow.MEMORY_NANOS + 2);
    assertEquals(1 << 18, path.window(SECOND + PathWindow.MEMORY_NANOS + 3), "a smaller one replaces a stale one");
  }

  @Test
  void theRateOfTheLastSecondTimesTheLowestRttTwiceOver() {
    for (long t = 0; t <= SECOND; t += SECOND / 100) {
      path.delivered(100_000, t); // 10 MB/s
    }
    assertEquals(0, path.window(SECOND), "no RTT yet: nothing");
    rtt = 50_000_000L; // 50 ms
    long window = path.window(SECOND);
    assertEquals(2 * 500_000, window, 2 * 5_000, "10 MB/s × 50 ms × 2");
    path.delivered(1, 4 * SECOND);
    assertEquals(0, path.window(4 * SECOND), "after an idle gap the rate is not recent");
  }
}
