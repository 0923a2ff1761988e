package dev.weft.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The node-wide fairness rule: guarantees, the reserve, exactness under concurrency. */
@Timeout(30)
class SharedLimitTest {
  private static long takeAll(SharedLimit.Share share) {
    long n = 0;
    while (share.reserve(1)) {
      n++;
    }
    return n;
  }

  @Test
  void greedyPeersStopAtTheReserveAndNewcomersStillGetTheirGuarantee() {
    SharedLimit sessions = new SharedLimit(4096);
    assertEquals(1024, sessions.reserve());
    assertEquals(64, sessions.guaranteed());
    // Four throwaway identities, each trying for everything (the attack, without the per-peer cap).
    long greedy = 0;
    for (int i = 0; i < 4; i++) {
      greedy += takeAll(sessions.share());
    }
    assertEquals(3072 + 3 * 64, greedy, "the first fills all but the reserve, the others get their guarantee");
    SharedLimit.Share honest = sessions.share();
    assertEquals(64, honest.available());
    assertEquals(64, takeAll(honest), "a newcomer still gets its guarantee");
  }

  @Test
  void theReserveRunsOutOnlyAfterAsManyNewcomersAsItHoldsGuarantees() {
    SharedLimit limit = new SharedLimit(100, 25, 5);
    assertEquals(75, takeAll(limit.share()));
    for (int i = 0; i < 5; i++) {
      assertEquals(5, takeAll(limit.share()), "newcomer " + i);
    }
    SharedLimit.Share late = limit.share();
    assertEquals(0, late.available());
    assertFalse(late.reserve(1));
    assertEquals(100, limit.used());
  }

  @Test
  void aPeerWithinItsGuaranteeTakesFromTheReserveAndOnlyThenFromTheRest() {
    SharedLimit limit = new SharedLimit(100, 25, 5);
    SharedLimit.Share big = limit.share();
    assertTrue(big.reserve(70));
    SharedLimit.Share small = limit.share();
    assertFalse(small.reserve(6), "beyond its guarantee only while 25 stay free");
    assertTrue(small.reserve(5), "its guarantee, from the reserve");
    assertEquals(0, small.available());
    big.release(70);
    assertEquals(70, small.available(), "with the room back: all but the reserve");
  }

  @Test
  void releasingWakesWhoeverWaits() {
    SharedLimit limit = new SharedLimit(10, 0, 10);
    SharedLimit.Share share = limit.share();
    assertTrue(share.reserve(10));
    AtomicInteger woken = new AtomicInteger();
    share.onRelease(woken::incrementAndGet);
    share.release(3);
    share.release(3);
    assertEquals(1, woken.get(), "once per registration");
  }

  @Test
  void reservationsAreExactUnderConcurrency() throws Exception {
    SharedLimit limit = new SharedLimit(1000);
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Long>> held = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        SharedLimit.Share share = limit.share();
        held.add(pool.submit(() -> {
          start.await();
          long peak = 0;
          for (int i = 0; i < 20_000; i++) {
            if (share.reserve(3)) {
              peak = Math.max(peak, limit.used());
            }
            if (i % 3 == 0 && share.held() >= 2) {
              share.release(2);
            }
          }
          assertTrue(peak <= limit.limit(), "used " + peak);
          return share.held();
        }));
      }
      start.countDown();
      long sum = 0;
      for (Future<Long> f : held) {
        sum += f.get(20, TimeUnit.SECONDS);
      }
      assertEquals(sum, limit.used(), "the total is the sum of the shares");
      assertTrue(sum <= limit.limit());
    } finally {
      pool.shutdownNow();
    }
  }
}
