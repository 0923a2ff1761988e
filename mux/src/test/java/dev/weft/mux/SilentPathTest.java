package dev.weft.mux;

import static dev.weft.mux.Fixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.identity.IdText;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A stream that goes silent while another is live is suspected within a few probe timeouts,
 * long before the ping timeout, and its sessions move to the live one without losing a byte;
 * if it answers again it is healthy again.
 */
@Timeout(60)
class SilentPathTest {
  private static final MuxConfig CONFIG = MuxConfig.defaults();
  /** Far below the 15 s ping timeout, far above the ~1 s suspicion takes, for a loaded machine. */
  private static final long MOVED_WITHIN_MILLIS = 6_000;

  /** A flow under way on stream {@code one}, opened while it was the only one, and {@code two} idle. */
  private record Busy(Fixture.Link one, Fixture.Link two, Flow flow) {
    static Busy start(Fixture f, long seed) throws Exception {
      Fixture.Link one = f.link();
      Flow flow = Flow.start(f, seed);
      Fixture.Link two = f.link();
      await(flow.reader().reached(200_000));
      assertEquals(one.id(), flow.session().streamId());
      return new Busy(one, two, flow);
    }
  }

  @Test
  void sessionsOfABlackholedStreamMoveToTheLiveOneWithoutLoss() throws Exception {
    try (Fixture f = new Fixture(CONFIG, new Services())) {
      Busy busy = Busy.start(f, 5);
      Fixture.Link one = busy.one();
      Flow flow = busy.flow();
      long start = System.nanoTime();
      one.blackhole();
      // Both ends send (echo): either may notice first, and the other follows its Resume.
      await(f.aEvents.seen("failover done " + flow.session().id()));
      long movedMillis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(movedMillis < MOVED_WITHIN_MILLIS, "moved after " + movedMillis + " ms");
      assertEquals(busy.two().id(), flow.session().streamId());
      await(f.aEvents.seen("suspect " + IdText.of(one.id())));
      assertTrue(f.a.streamStats(one.id()).orElseThrow().suspect(), "the silent stream is suspect");
      // New sessions avoid the suspect stream, though it is still attached.
      Session fresh = await(f.a.open("echo", new byte[0]));
      assertEquals(busy.two().id(), fresh.streamId());
      long before = flow.reader().received();
      await(flow.reader().reached(before + 200_000));
      flow.finish();
    }
  }

  @Test
  void aStreamThatAnswersAgainIsHealthyAndNothingIsLost() throws Exception {
    try (Fixture f = new Fixture(CONFIG, new Services())) {
      Busy busy = Busy.start(f, 6);
      Fixture.Link one = busy.one();
      Flow flow = busy.flow();
      // Everything sent either way is held up for 3 s (a path that stalls and recovers), not lost:
      // it all arrives late, Credits included, after the session moved.
      one.clientTap().delay(Duration.ofSeconds(3));
      one.serverTap().delay(Duration.ofSeconds(3));
      // Either end may be the one owing an answer; the other follows its Resume.
      String suspect = "suspect " + IdText.of(one.id());
      await(CompletableFuture.anyOf(f.aEvents.seen(suspect), f.bEvents.seen(suspect)));
      one.clientTap().delay(Duration.ZERO);
      one.serverTap().delay(Duration.ZERO);
      await(f.aEvents.seen("failover done " + flow.session().id()));
      assertEquals(busy.two().id(), flow.session().streamId());
      String answered = "answered " + IdText.of(one.id());
      await(CompletableFuture.anyOf(f.aEvents.seen(answered), f.bEvents.seen(answered)));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Fixture.WAIT_SECONDS);
      while (f.a.streamStats(one.id()).orElseThrow().suspect() || f.b.streamStats(one.id()).orElseThrow().suspect()) {
        assertTrue(System.nanoTime() < deadline, "both ends hear the stream again");
        Thread.sleep(20);
      }
      long before = flow.reader().received();
      await(flow.reader().reached(before + 2_000_000));
      flow.finish();
    }
  }

  @Test
  void withSuspicionOffASilentStreamKeepsItsSessions() throws Exception {
    try (Fixture f = new Fixture(CONFIG.withSuspicion(0, Duration.ofMillis(250)), new Services())) {
      Busy busy = Busy.start(f, 7);
      Fixture.Link one = busy.one();
      Flow flow = busy.flow();
      one.blackhole();
      long deadline = System.nanoTime() + 2_000_000_000L;
      while (System.nanoTime() < deadline) {
        assertEquals(one.id(), flow.session().streamId());
        assertFalse(f.a.streamStats(one.id()).orElseThrow().suspect());
        Thread.sleep(50); // polls that it stays so
      }
    }
  }
}
