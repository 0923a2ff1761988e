package dev.weft.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The pacing rate from delivery counts, one per 10 ms update interval. */
class KcpPacingRateTest {
  private static final long FLOOR = 1_000_000;
  private final KcpPacingRate pacing = new KcpPacingRate();

  /** {@code ticks} intervals of {@code bytesPerTick} delivered each; the rate after the last. */
  private long deliver(int ticks, int srtt, long bytesPerTick, boolean bulk) {
    long rate = 0;
    for (int i = 1; i <= ticks; i++) {
      rate = pacing.next(i * KcpSettings.INTERVAL_MILLIS, srtt, i * bytesPerTick, bulk, FLOOR);
    }
    return rate;
  }

  @Test
  void pacesAtTwiceTheDeliveryRateWhileInBulkOnly() {
    assertEquals(2 * 40_000_000L, deliver(50, 50, 400_000, true), "40 MB/s delivered on a 50 ms path");
    assertEquals(0, pacing.next(510, 50, 20_400_000, false, FLOOR), "nothing to pace out of bulk");
  }

  @Test
  void aLanRttShorterThanAnUpdateIntervalStillYieldsARate() {
    // KCP's RTT on a LAN or loopback can be below its 10 ms clock: the rate then spans two ticks.
    assertEquals(2 * 100_000_000L, deliver(20, 3, 1_000_000, true));
  }

  @Test
  void remembersTheBestRateOfTheLastRoundsNotTheLatest() {
    deliver(50, 50, 400_000, true);
    long rate = 0;
    for (int i = 51; i <= 60; i++) {
      rate = pacing.next(i * 10, 50, 50 * 400_000L + (i - 50) * 40_000L, true, FLOOR);
    }
    assertEquals(2 * 40_000_000L, rate, "a hole's round trip of low delivery does not slow the pace");
    for (int i = 61; i <= 200; i++) {
      rate = pacing.next(i * 10, 50, 50 * 400_000L + (i - 50) * 40_000L, true, FLOOR);
    }
    assertTrue(rate < 2 * 40_000_000L / 2, "ten rounds later the lower rate is the path's: " + rate);
  }
}
