package dev.weft.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.mux.Liveness.Finding;
import org.junit.jupiter.api.Test;

/** The suspicion rule by itself, on a clock the test sets (milliseconds as nanoseconds' stand-in). */
class LivenessTest {
  private static final long PTO = 250;
  private static final long MAX_WAIT = 5_000;

  @Test
  void aStreamThatOwesNothingIsNeitherProbedNorSuspectedHoweverLongItIsQuiet() {
    Liveness l = new Liveness();
    assertEquals(Finding.NOTHING, l.check(1_000_000, PTO, 3, MAX_WAIT));
    assertFalse(l.suspect());
  }

  @Test
  void silenceWithAnAnswerOwedIsProbedAfterOnePtoThenDoublingAndSuspectedAfterThree() {
    Liveness l = new Liveness();
    l.owe(1_000);
    l.owe(1_100); // silence counts from the first unanswered frame
    assertEquals(Finding.NOTHING, l.check(1_249, PTO, 3, MAX_WAIT));
    assertEquals(Finding.PROBE, l.check(1_250, PTO, 3, MAX_WAIT));
    assertEquals(Finding.NOTHING, l.check(1_600, PTO, 3, MAX_WAIT)); // next probe 2 PTO later
    assertEquals(Finding.SUSPECTED, l.check(1_750, PTO, 3, MAX_WAIT));
    assertTrue(l.suspect());
    assertEquals(750, l.silence(1_750));
    // Still probed while suspect, backing off (4 PTO after the last probe), never suspected twice.
    assertEquals(Finding.NOTHING, l.check(2_500, PTO, 3, MAX_WAIT));
    assertEquals(Finding.PROBE, l.check(2_750, PTO, 3, MAX_WAIT));
  }

  @Test
  void anythingHeardClearsTheDebtAndTheSuspicion() {
    Liveness l = new Liveness();
    l.owe(0);
    assertEquals(Finding.SUSPECTED, l.check(1_000, PTO, 3, MAX_WAIT));
    assertTrue(l.heard(), "it was suspect");
    assertFalse(l.suspect());
    assertFalse(l.owed());
    assertFalse(l.heard(), "only once");
    l.owe(5_000);
    assertEquals(Finding.PROBE, l.check(5_700, PTO, 3, MAX_WAIT));
    assertEquals(Finding.SUSPECTED, l.check(5_750, PTO, 3, MAX_WAIT));
  }

  @Test
  void onlyFramesThatAskForAnAnswerPutThePeerInDebt() {
    assertTrue(Liveness.asksAnswer(new Frame.Ping(1)));
    assertTrue(Liveness.asksAnswer(new Frame.Resume(1, 0, 0, 4096)));
    assertFalse(Liveness.asksAnswer(new Frame.Pong(1)));
    assertFalse(Liveness.asksAnswer(new Frame.Credit(1, 0, 4096)));
    assertFalse(Liveness.asksAnswer(new Frame.Migrate(1, 2, Frame.Migrate.Kind.REQUEST)));
  }
}
