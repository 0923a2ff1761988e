package dev.weft.mux;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LogLimitTest {
  private static final Logger LOG = LoggerFactory.getLogger(LogLimitTest.class);

  @Test
  void aFewLinesASecondThenNoneUntilTheNextSecond() {
    AtomicLong now = new AtomicLong(5_000);
    LogLimit limit = new LogLimit(now::get);
    for (int i = 0; i < LogLimit.PER_SECOND; i++) {
      assertTrue(limit.allow(LOG), "line " + i);
    }
    for (int i = 0; i < 1000; i++) {
      assertFalse(limit.allow(LOG), "a flood is left out");
    }
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(999));
    assertFalse(limit.allow(LOG), "still the same second");
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
    assertTrue(limit.allow(LOG), "a new second, a new allowance");
  }
}
