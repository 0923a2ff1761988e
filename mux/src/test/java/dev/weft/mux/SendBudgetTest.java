package dev.weft.mux;

import static dev.weft.mux.Fixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Unacknowledged send data is charged to the peer's send budget: writes wait once it is used up,
 * wake as the peer consumes, and nothing deadlocks, not even a write larger than the budget.
 */
@Timeout(60)
class SendBudgetTest {
  private static final int SESSIONS = 8;
  /** Half of what {@link #SESSIONS} sessions could each hold at the 32 KiB window. */
  private static final long BUDGET = 128 * 1024;
  private static final int CHUNK = 4 * 1024;
  private static final MuxConfig CONFIG = MuxConfig.defaults().withWindows(32 * 1024, 16 * 1024 * 1024)
      .withLimits(64, 64, 64, BUDGET, 1024 * 1024);

  /** B's side: sessions to "held" start paused (B consumes nothing, so A's data stays unacknowledged). */
  private static final class Held implements Acceptor {
    final Map<SessionId, Session> sessions = new ConcurrentHashMap<>();
    final Map<SessionId, PatternReader> readers = new ConcurrentHashMap<>();

    @Override
    public Acceptance decide(IncomingQuery query) {
      boolean paused = query.service().equals("held");
      return Acceptance.accept(s -> {
        if (paused) {
          s.pause();
        }
        PatternReader reader = new PatternReader(ByteBuffer.wrap(s.args()).getLong());
        readers.put(s.id(), reader);
        sessions.put(s.id(), s);
        s.handler(reader);
      });
    }
  }

  private static long charged(SessionTable table) throws Exception {
    return table.executor().submit(() -> table.sendBudget().used()).get();
  }

  private static void awaitCharged(SessionTable table, long bytes) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (charged(table) != bytes) {
      assertTrue(System.nanoTime() < deadline, "charged " + charged(table) + ", expected " + bytes);
      Thread.sleep(10);
    }
  }

  @Test
  void writesWaitOnceThePeersBudgetIsUsedUpAndAllFinishAsItFrees() throws Exception {
    Held held = new Held();
    try (Fixture f = new Fixture(CONFIG, held)) {
      f.link();
      List<PatternWriter> writers = new ArrayList<>();
      for (int i = 0; i < SESSIONS; i++) {
        Session s = await(f.a.open("held", Services.args(i, 0)));
        writers.add(new PatternWriter(s, i, 256 * 1024, CHUNK).start());
      }
      awaitCharged(f.a, BUDGET);
      Thread.sleep(200);
      assertEquals(BUDGET, charged(f.a), "the budget stays the bound");
      long written = writers.stream().mapToLong(PatternWriter::written).sum();
      // Each writer issues its next write once the last completed: at most one each uncharged.
      assertTrue(written <= BUDGET + (long) SESSIONS * CHUNK, "written " + written);
      assertTrue(writers.stream().noneMatch(w -> w.done.isDone()));

      held.sessions.values().forEach(Session::resume);
      for (PatternWriter w : writers) {
        assertEquals(256 * 1024L, await(w.done));
        assertEquals(256 * 1024L, await(held.readers.get(w.session().id()).done), "intact");
      }
      awaitCharged(f.a, 0);
    }
  }

  @Test
  void aSessionWaitingForBudgetIsWokenWhenAnotherEnds() throws Exception {
    Held held = new Held();
    try (Fixture f = new Fixture(CONFIG, held)) {
      f.link();
      // Each holds its full 32 KiB (the most a session keeps unacknowledged): four use the budget up.
      int each = (int) (BUDGET / 4);
      List<Session> hogs = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Session hog = await(f.a.open("held", Services.args(i, 0)));
        await(hog.write(Pattern.chunk(i, 0, each)));
        hogs.add(hog);
      }
      Session other = await(f.a.open("held", Services.args(9, 0)));
      CompletableFuture<Void> waiting = other.write(Pattern.chunk(9, 0, CHUNK));
      Thread.sleep(200);
      assertFalse(waiting.isDone(), "the budget is used up");
      hogs.get(0).reset("done hogging");
      await(waiting);
      assertEquals(3L * each + CHUNK, charged(f.a));
    }
  }

  @Test
  void aWriteLargerThanTheWholeBudgetStillCompletes() throws Exception {
    Held held = new Held();
    try (Fixture f = new Fixture(CONFIG, held)) {
      f.link();
      Session s = await(f.a.open("read", Services.args(3, 0)));
      int size = (int) (4 * BUDGET);
      await(s.write(Pattern.chunk(3, 0, size)));
      s.close();
      assertEquals(size, await(held.readers.get(s.id()).done));
      awaitCharged(f.a, 0);
    }
  }
}
