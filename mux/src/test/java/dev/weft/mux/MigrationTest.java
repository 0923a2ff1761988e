package dev.weft.mux;

import static dev.weft.mux.Fixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class MigrationTest {
  private static final MuxConfig CONFIG = MuxConfig.defaults();

  @Test
  void continuousTransferSurvivesAHundredMigrationsBackAndForth() throws Exception {
    // Without suspicion: a stall of the loaded machine must not fail the session over (it would
    // refuse the next migration), which is what this test would then see instead.
    try (Fixture f = new Fixture(CONFIG.withSuspicion(0, Duration.ofMillis(250)), new Services())) {
      Fixture.Link one = f.link();
      Fixture.Link two = f.link();
      Flow flow = Flow.start(f, 11);
      Session remote = f.b.session(flow.session().id()).orElseThrow();
      for (int i = 0; i < 100; i++) {
        long target = flow.session().streamId() == one.id() ? two.id() : one.id();
        long before = flow.reader().received();
        // Alternate which side starts the migration.
        SessionTable initiator = i % 2 == 0 ? f.a : f.b;
        Duration pause = await(initiator.migrate(flow.session().id(), target));
        assertTrue(pause.compareTo(Duration.ofSeconds(5)) < 0);
        await(flow.reader().reached(before + 1));
        assertEquals(target, flow.session().streamId());
      }
      flow.finish();
      assertEquals(100, flow.session().migrations());
      assertEquals(100, remote.migrations());
    }
  }

  @Test
  void fiveHundredSessionsMigrateAtOnce() throws Exception {
    // Small windows keep the data in flight (and the test) small; the protocol is the same.
    try (Fixture f = new Fixture(CONFIG.withWindows(32 * 1024, 32 * 1024), new Services())) {
      Fixture.Link one = f.link();
      Fixture.Link two = f.link();
      List<Flow> flows = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        Flow flow = Flow.open(f, 1000 + i);
        if (flow.session().streamId() != one.id()) {
          await(f.a.migrate(flow.session().id(), one.id()));
        }
        flows.add(flow);
      }
      flows.forEach(Flow::start);
      await(CompletableFuture.allOf(flows.stream().map(flow -> flow.reader().reached(20_000))
          .toArray(CompletableFuture[]::new)));
      assertEquals(500, await(f.a.migrateAll(one.id(), two.id())));
      List<CompletableFuture<Void>> moving = new ArrayList<>();
      for (Flow flow : flows) {
        assertEquals(two.id(), flow.session().streamId());
        moving.add(flow.reader().reached(flow.reader().received() + 20_000));
      }
      await(CompletableFuture.allOf(moving.toArray(CompletableFuture[]::new)));
      flows.forEach(flow -> flow.writer().stop());
      for (Flow flow : flows) {
        flow.finish();
      }
    }
  }

  @Test
  void simultaneousMigrationsOfOneSessionResolveToTheHighSide() throws Exception {
    try (Fixture f = new Fixture(CONFIG, new Services())) {
      Fixture.Link one = f.link();
      Fixture.Link two = f.link();
      Fixture.Link three = f.link();
      Flow flow = Flow.start(f, 5);
      await(f.a.migrate(flow.session().id(), one.id()).exceptionally(e -> Duration.ZERO));
      Session remote = f.b.session(flow.session().id()).orElseThrow();
      // Both sides start at once, to different targets: A (high side) wins.
      CompletableFuture<Duration> fromA = f.a.migrate(flow.session().id(), two.id());
      CompletableFuture<Duration> fromB = f.b.migrate(flow.session().id(), three.id());
      await(fromA);
      ExecutionException lost = assertThrows(ExecutionException.class, () -> await(fromB));
      assertInstanceOf(MigrationException.class, lost.getCause());
      assertEquals(two.id(), flow.session().streamId());
      assertEquals(two.id(), remote.streamId());
      // Same target from both sides at once: both succeed.
      CompletableFuture<Duration> againA = f.a.migrate(flow.session().id(), one.id());
      CompletableFuture<Duration> againB = f.b.migrate(flow.session().id(), one.id());
      await(againA);
      await(againB);
      assertEquals(one.id(), flow.session().streamId());
      assertEquals(one.id(), remote.streamId());
      flow.finish();
    }
  }

  @Test
  void invalidMigrationsAreRefusedWithClearErrors() throws Exception {
    try (Fixture f = new Fixture(CONFIG, new Services())) {
      Fixture.Link one = f.link();
      Flow flow = Flow.start(f, 6);
      SessionId id = flow.session().id();
      assertTrue(refusal(f.a.migrate(new SessionId(42), one.id())).contains("no session"));
      assertTrue(refusal(f.a.migrate(id, one.id())).contains("already on stream"));
      assertTrue(refusal(f.a.migrate(id, 12345)).contains("not attached"));
      Fixture.Link two = f.link();
      two.kill();
      await(f.aEvents.detached(two.id()));
      assertTrue(refusal(f.a.migrate(id, two.id())).contains("not attached"));
      assertEquals(one.id(), flow.session().streamId());
      flow.finish();
    }
  }

  @Test
  void streamKilledMidTransferLosesNothingWhenAnotherIsAttached() throws Exception {
    try (Fixture f = new Fixture(CONFIG, new Services())) {
      Fixture.Link one = f.link();
      // All open before any writes: a Query queued behind 19 windows of data on a loaded machine
      // could outlast the open timeout, which is not what this test is about.
      List<Flow> flows = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        flows.add(Flow.open(f, 200 + i));
      }
      flows.forEach(Flow::start);
      Fixture.Link two = f.link();
      for (Flow flow : flows) {
        await(flow.reader().reached(300_000));
      }
      one.kill();
      for (Flow flow : flows) {
        await(f.aEvents.seen("failover done " + flow.session().id()));
        assertEquals(two.id(), flow.session().streamId());
        long before = flow.reader().received();
        await(flow.reader().reached(before + 300_000));
      }
      flows.forEach(flow -> flow.writer().stop());
      for (Flow flow : flows) {
        flow.finish();
      }
    }
  }

  @Test
  void sessionsResumeWhenANewStreamComesWithinTheGracePeriod() throws Exception {
    try (Fixture f = new Fixture(CONFIG, new Services())) {
      Fixture.Link one = f.link();
      Flow flow = Flow.start(f, 77);
      await(flow.reader().reached(500_000));
      one.kill();
      await(f.aEvents.seen("failover started"));
      assertEquals(SessionState.FAILING_OVER, flow.session().state());
      Fixture.Link two = f.link();
      long before = flow.reader().received();
      await(flow.reader().reached(before + 500_000));
      assertEquals(two.id(), flow.session().streamId());
      flow.finish();
    }
  }

  @Test
  void sessionsAreResetAfterTheGracePeriodWithoutAStream() throws Exception {
    MuxConfig shortGrace = CONFIG.withFailoverGrace(Duration.ofMillis(200));
    try (Fixture f = new Fixture(shortGrace, new Services())) {
      Fixture.Link one = f.link();
      Flow flow = Flow.start(f, 78);
      await(flow.reader().reached(100_000));
      one.kill();
      ExecutionException e = assertThrows(ExecutionException.class, () -> await(flow.session().closeFuture()));
      SessionResetException reset = assertInstanceOf(SessionResetException.class, e.getCause());
      assertEquals(Reason.STREAM_LOST, reset.reason());
      assertTrue(reset.getMessage().contains("grace"), reset.getMessage());
      await(f.bEvents.seen("reset STREAM_LOST"));
      assertTrue(f.a.sessions().isEmpty());
      assertTrue(f.b.sessions().isEmpty());
    }
  }

  @Test
  void sessionsLeaveAStreamWhoseRoundTripDegrades() throws Exception {
    MuxConfig watching = CONFIG.withPing(Duration.ofMillis(50), Duration.ofSeconds(5))
        .withRebalance(new Rebalance(2.0, Duration.ofMillis(10), 3, Duration.ofSeconds(30)));
    try (Fixture f = new Fixture(watching, new Services())) {
      Fixture.Link one = f.link();
      Flow flow = Flow.start(f, 90);
      Fixture.Link two = f.link();
      one.clientTap().delay(Duration.ofMillis(60));
      await(f.aEvents.seen("migrated " + flow.session().id()));
      assertEquals(two.id(), flow.session().streamId());
      flow.finish();
    }
  }

  @Test
  void rebalanceNeedsBothTheFactorAndTheMargin() {
    Rebalance policy = new Rebalance(2.0, Duration.ofMillis(20), 3, Duration.ZERO);
    long ms = 1_000_000;
    assertTrue(policy.degraded(100 * ms, 40 * ms));
    assertFalse(policy.degraded(70 * ms, 40 * ms), "not twice as slow");
    assertFalse(policy.degraded(3 * ms, 1 * ms), "twice as slow but only 2 ms worse");
    assertThrows(IllegalArgumentException.class, () -> new Rebalance(0.5, Duration.ZERO, 1, Duration.ZERO));
  }

  private static String refusal(CompletableFuture<Duration> migration) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(migration));
    return assertInstanceOf(MigrationException.class, e.getCause()).getMessage();
  }
}
