package dev.weft.mux;

import static dev.weft.mux.Fixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Resumes lost on streams that died without either side noticing (zombies): the failing-over side
 * sends its Resume again on another stream, and the session resumes with nothing lost, long
 * before the failover grace period or the ping timeout would end it.
 */
@Timeout(60)
class ResumeTest {
  /** Both far above how long a resume may take here: only a re-sent Resume makes it in time. */
  private static final MuxConfig CONFIG = MuxConfig.defaults()
      .withPing(Duration.ofSeconds(5), Duration.ofSeconds(30)).withFailoverGrace(Duration.ofSeconds(30));
  private static final long RESUMED_WITHIN_SECONDS = 8;

  /** A pattern echoed through B, and the three streams of the tests, {@code zombie} preferred. */
  private record Setup(Fixture f, Flow flow, Fixture.Link first, Fixture.Link zombie, Fixture.Link spare) {
    static Setup start(Fixture f, long seed) throws Exception {
      Fixture.Link first = f.link();
      Flow flow = Flow.start(f, seed);
      await(flow.reader().reached(200_000));
      Fixture.Link zombie = f.link();
      Fixture.Link spare = f.link(Duration.ofMillis(40));
      for (Fixture.Link l : new Fixture.Link[] {zombie, spare}) {
        measured(f.a, l.id());
        measured(f.b, l.id());
      }
      zombie.blackhole();
      return new Setup(f, flow, first, zombie, spare);
    }

    /** Both sides resumed on the spare stream within the bound, and nothing was lost. */
    void resumedOnTheSpare() throws Exception {
      Session a = flow.session();
      await(f.aEvents.seen("failover done " + a.id()).orTimeout(RESUMED_WITHIN_SECONDS, TimeUnit.SECONDS));
      long before = flow.reader().received();
      await(flow.reader().reached(before + 300_000));
      assertEquals(spare.id(), a.streamId());
      assertEquals(spare.id(), f.b.session(a.id()).orElseThrow().streamId());
      flow.finish();
    }
  }

  @Test
  void aResumeLostOnAZombieIsSentAgainOnAnotherStream() throws Exception {
    try (Fixture f = new Fixture(CONFIG, new Services())) {
      Setup t = Setup.start(f, 31);
      // The first stream dies and only A notices: B goes on sending on it, into the void.
      t.first().serverTap().hideClose();
      t.first().kill();
      t.resumedOnTheSpare();
    }
  }

  @Test
  void resumesCrossingAfterBothWereLostOnAZombie() throws Exception {
    try (Fixture f = new Fixture(CONFIG, new Services())) {
      Setup t = Setup.start(f, 32);
      t.first().kill(); // both notice, both send their Resume on the zombie, both send it again
      await(f.bEvents.seen("failover started"));
      t.resumedOnTheSpare();
    }
  }

  @Test
  void aResumeWhoseStreamClosesIsSentAgainAtOnce() throws Exception {
    try (Fixture f = new Fixture(CONFIG, new Services())) {
      Setup t = Setup.start(f, 33);
      t.first().serverTap().hideClose();
      t.first().kill();
      await(f.aEvents.seen("failover started"));
      t.zombie().serverTap().hideClose();
      t.zombie().kill(); // A's Resume went out on it: A sends it again now, B never knew either stream died
      t.resumedOnTheSpare();
    }
  }

  /** Waits until {@code table} has a round-trip sample of {@code stream}, so it ranks it. */
  private static void measured(SessionTable table, long stream) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Fixture.WAIT_SECONDS);
    while (table.streamStats(stream).orElseThrow().srtt() == null) {
      assertTrue(System.nanoTime() < deadline, "no round trip measured on the stream");
      Thread.sleep(10); // polling a condition under a deadline
    }
  }
}
