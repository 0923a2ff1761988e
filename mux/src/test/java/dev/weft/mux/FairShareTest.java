package dev.weft.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Window growth among busy sessions: equal shares whoever started first, no cap for a lone one. */
class FairShareTest {
  private static final int INITIAL = 32 * 1024;
  private static final int MAX = 16 * 1024 * 1024;
  private static final long LIMIT = 64L * 1024 * 1024;

  private final Budget budget = new Budget(LIMIT, SharedLimit.unlimited().share(), 1024);
  /** The peer's path, as one table shares it among its sessions: no RTT measured. */
  private final PathWindow path = new PathWindow(() -> 0, 0);
  private long now;

  private List<ReceiveWindow> open(int sessions) {
    List<ReceiveWindow> windows = new ArrayList<>();
    for (int i = 0; i < sessions; i++) {
      windows.add(new ReceiveWindow(budget.open(INITIAL), MAX, budget, path, now));
    }
    return windows;
  }

  /** Consumes one whole window that the sender filled up to its limit: the window limits it. */
  private void drainFast(ReceiveWindow window) {
    now += 1_000;
    window.arrived(window.limit(), window.consumed());
    window.consume(window.window(), now);
  }

  @Test
  void manyBulkSessionsEndWithinTheirShareWhoeverStartedFirst() {
    List<ReceiveWindow> windows = open(1000);
    for (int round = 0; round < 12; round++) {
      windows.forEach(this::drainFast);
    }
    long share = LIMIT / 1000;
    int smallest = windows.stream().mapToInt(ReceiveWindow::window).min().orElseThrow();
    int largest = windows.stream().mapToInt(ReceiveWindow::window).max().orElseThrow();
    assertTrue(largest <= share, "largest window " + largest + " above the share " + share);
    assertTrue(smallest > share / 2, "smallest window " + smallest + " not near the share " + share);
  }

  @Test
  void oneBulkSessionAmongIdleOnesGrowsToTheMaximum() {
    List<ReceiveWindow> windows = open(1000);
    ReceiveWindow bulk = windows.get(500);
    for (int round = 0; round < 12; round++) {
      drainFast(bulk);
    }
    assertEquals(MAX, bulk.window());
  }

  @Test
  void aLargeWindowShrinksToItsShareOnceOthersAreBusyAndGrowsAgainWhenTheyGoQuiet() {
    List<ReceiveWindow> windows = open(100);
    ReceiveWindow first = windows.get(0);
    for (int round = 0; round < 12; round++) {
      drainFast(first);
    }
    assertEquals(MAX, first.window(), "alone, it grew to the maximum");
    windows.forEach(this::drainFast);
    drainFast(first);
    assertTrue(first.window() <= LIMIT / 100, "shrank to its share: " + first.window());

    now += ReceiveWindow.BUSY_NANOS + 1;
    windows.forEach(w -> w.sweep(now));
    for (int round = 0; round < 12; round++) {
      drainFast(first);
    }
    assertEquals(MAX, first.window(), "the others went quiet: it may grow again");
  }
}
