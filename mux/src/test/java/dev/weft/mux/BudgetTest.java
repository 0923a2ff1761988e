package dev.weft.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How the budget sizes windows: every session up to the cap fits, and few sessions get large ones. */
@Timeout(10)
class BudgetTest {
  private static final int INITIAL = 32 * 1024;
  private static final long MIB = 1024 * 1024;

  @Test
  void tenThousandSessionsFitSixtyFourMibWithEqualWindows() {
    Budget budget = new Budget(64 * MIB, SharedLimit.unlimited().share(), 10_000);
    List<Integer> windows = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      windows.add(budget.open(INITIAL));
    }
    int expected = (int) (64 * MIB / 10_000);
    assertEquals(expected, windows.get(0), "a share of the budget, below the initial window");
    assertTrue(windows.stream().allMatch(w -> w == expected || w == expected + 1),
        "every session gets the same share (give or take rounding)");
    assertTrue(budget.used() <= 64 * MIB, "used " + budget.used());
  }

  @Test
  void aRoomyBudgetOffersTheInitialWindow() {
    Budget budget = new Budget(64 * MIB, SharedLimit.unlimited().share(), 1024);
    for (int i = 0; i < 1024; i++) {
      assertEquals(INITIAL, budget.open(INITIAL), "session " + i);
    }
    assertEquals(1024L * INITIAL, budget.used());
  }

  @Test
  void aBudgetTooSmallForTheCapHandsOutTheMinimumUntilItIsGone() {
    Budget budget = new Budget(16 * Budget.MIN_WINDOW + 100, SharedLimit.unlimited().share(), 1024);
    for (int i = 0; i < 16; i++) {
      assertEquals(Budget.MIN_WINDOW, budget.open(INITIAL), "session " + i);
    }
    assertEquals(0, budget.open(INITIAL), "not even the minimum is left");
    budget.close(Budget.MIN_WINDOW);
    assertEquals(Budget.MIN_WINDOW, budget.open(INITIAL), "a closed session's window is offered again");
  }

  @Test
  void growthLeavesTheMinimumForEverySessionStillToCome() {
    long limit = 20 * MIB;
    Budget budget = new Budget(limit, SharedLimit.unlimited().share(), 1024);
    int first = budget.open(INITIAL);
    long reserve = 1023L * Budget.MIN_WINDOW;
    assertTrue(budget.grow(first, limit - reserve), "may grow up to the reserve");
    assertFalse(budget.grow(limit - reserve, limit - reserve + 1), "not into it");
    for (int i = 1; i < 1024; i++) {
      assertEquals(Budget.MIN_WINDOW, budget.open(INITIAL), "session " + i + " still opens");
    }
  }

  @Test
  void theSharedBudgetCountsAsWhatIsLeft() {
    SharedLimit shared = new SharedLimit(MIB, 0, MIB);
    Budget one = new Budget(64 * MIB, shared.share(), 16);
    Budget other = new Budget(64 * MIB, shared.share(), 16);
    int big = (int) MIB;
    assertEquals(MIB / 16, one.open(big));
    assertEquals((MIB - MIB / 16) / 16, other.open(big));
    one.close(MIB / 16);
    assertEquals(shared.used(), other.used());
  }
}
