package dev.weft.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PingLossTest {
  private static final long MS = 1_000_000;

  @Test
  void countsLateAndUnansweredPingsOnceOldEnoughToJudge() {
    PingLoss loss = new PingLoss();
    long limit = 100 * MS;
    loss.sent(0);
    loss.sent(100 * MS);
    loss.sent(200 * MS);
    loss.sent(300 * MS);
    loss.answered(0, 5 * MS);
    loss.answered(100 * MS, 150 * MS); // late: a retransmission held it up
    // At 350 ms: the third is unanswered for 150 ms (lost), the fourth too young to judge.
    assertEquals(2.0 / 3, loss.loss(350 * MS, limit), 1e-9);
    loss.answered(300 * MS, 10 * MS);
    assertEquals(2.0 / 4, loss.loss(350 * MS, limit), 1e-9);
  }

  @Test
  void remembersOnlyTheRecentPings() {
    PingLoss loss = new PingLoss();
    loss.sent(1);
    for (int i = 1; i <= 16; i++) {
      loss.sent(i * 1000L);
      loss.answered(i * 1000L, 1);
    }
    assertEquals(0, loss.loss(1_000_000 * MS, MS));
  }

  @Test
  void lossInflatesTheScoreAndUnmeasuredStreamsComeLast() {
    StreamStats clean = new StreamStats(1, true, Duration.ofMillis(10), null, 0, 0, Instant.EPOCH, false);
    StreamStats lossy = new StreamStats(2, true, Duration.ofMillis(10), null, 0.1, 0, Instant.EPOCH, false);
    StreamStats slowClean = new StreamStats(3, true, Duration.ofMillis(15), null, 0, 0, Instant.EPOCH, false);
    StreamStats unmeasured = new StreamStats(4, true, null, null, 0, 0, Instant.EPOCH, false);
    assertEquals(10 * MS, clean.score());
    assertEquals(20 * MS, lossy.score());
    assertEquals(3, StreamChooser.BEST_QUALITY.choose(List.of(lossy, slowClean, unmeasured)));
    assertEquals(2, StreamChooser.BEST_QUALITY.choose(List.of(unmeasured, lossy)));
  }
}
