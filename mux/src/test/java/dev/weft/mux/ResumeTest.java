package dev.weft.mux;

import static dev.weft.mux.Fixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
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
  static final MuxConfig CONFIG = MuxConfig.defaults()
      .withPing(Duration.ofSeconds(5), Duration.ofSeconds(30)).withFailoverGrace(Duration.ofSeconds(30));
  private static final long RESUMED_WITHIN_SECONDS = 8;

  /** A pattern echoed through B, and the three streams of the tests, {@code zombie} preferred. */
  record Setup(Fixture f, Flow flow, Fixture.Link first, Fixture.Link zombie, Fixture.Link spare) {
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

  private static final Fate[] DYING = {Fate.DIES, Fate.DIES_SEEN_BY_A, Fate.DIES_SEEN_BY_B};

  /** What happens to one stream in a random trial. */
  private enum Fate {
    LIVES, DIES, DIES_SEEN_BY_A, DIES_SEEN_BY_B, ZOMBIE;

    void befall(Fixture.Link link) {
      switch (this) {
        case LIVES -> { }
        case DIES -> link.kill();
        case DIES_SEEN_BY_A -> {
          link.serverTap().hideClose();
          link.kill();
        }
        case DIES_SEEN_BY_B -> {
          link.clientTap().hideClose();
          link.kill();
        }
        case ZOMBIE -> link.blackhole();
      }
    }
  }

  /**
   * Random combinations of the three streams dying at once, noticed by either side, both or
   * neither (the session's own stream is seen dying by at least one side), then a fresh stream: the session goes on with nothing lost, in a few seconds (the
   * ping timeout and grace period are 30 s). A bounded number of trials; the seed of a failing
   * one is in the message ({@code -Dweft.resume.seed=N} replays it).
   */
  @Test
  @Timeout(180)
  void randomStreamDeathsLoseNothing() throws Exception {
    Long fixed = Long.getLong("weft.resume.seed");
    long first = fixed != null ? fixed : System.nanoTime();
    for (int trial = 0; trial < (fixed != null ? 1 : 5); trial++) {
      long seed = first + trial;
      try {
        randomTrial(seed);
      } catch (Exception | AssertionError e) {
        throw new AssertionError("trial with seed " + seed + " failed", e);
      }
    }
  }

  private static void randomTrial(long seed) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    try (Fixture f = new Fixture(CONFIG, new Services())) {
      Setup t = Setup.start(f, seed);
      List<String> told = new ArrayList<>();
      for (Fixture.Link l : new Fixture.Link[] {t.first(), t.zombie(), t.spare()}) {
        // The session's own stream dies, seen by at least one side: one that only goes silent
        // is found by liveness, not by resuming.
        Fate[] fates = l == t.first() ? DYING : Fate.values();
        Fate fate = fates[random.nextInt(fates.length)];
        told.add(fate.name());
        fate.befall(l);
      }
      f.link();
      long before = t.flow().reader().received();
      await(t.flow().reader().reached(before + 300_000).orTimeout(RESUMED_WITHIN_SECONDS, TimeUnit.SECONDS)
          .exceptionally(e -> {
            throw new AssertionError("no progress after " + told + " (zombie already blackholed)", e);
          }));
      t.flow().finish();
    }
  }

  /** Waits until {@code table} has a round-trip sample of {@code stream}, so it ranks it. */
  static void measured(SessionTable table, long stream) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Fixture.WAIT_SECONDS);
    while (table.streamStats(stream).orElseThrow().srtt() == null) {
      assertTrue(System.nanoTime() < deadline, "no round trip measured on the stream");
      Thread.sleep(10); // polling a condition under a deadline
    }
  }
}
