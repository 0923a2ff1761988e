package dev.weft.mux;

import static dev.weft.mux.Fixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Windows come from the budget left: a budget far below cap × initial window still admits every
 * session the cap allows, and each makes progress, while a lone session grows its window.
 */
@Timeout(60)
class WindowPolicyTest {
  private static final int CAP = 400;
  /** A third of what CAP sessions at the initial 32 KiB would need: 10 KiB each. */
  private static final long BUDGET = 4L * 1024 * 1024;
  private static final MuxConfig CONFIG = MuxConfig.defaults()
      .withWindows(32 * 1024, 16 * 1024 * 1024)
      .withLimits(CAP, CAP, CAP, BUDGET, 1024 * 1024);

  @Test
  void everySessionTheCapAllowsOpensAndMakesProgress() throws Exception {
    Services services = new Services();
    try (Fixture f = new Fixture(CONFIG, services)) {
      f.link();
      List<CompletableFuture<Session>> opening = new ArrayList<>();
      for (int i = 0; i < CAP; i++) {
        opening.add(f.a.open("sink", Services.args(i, 0)));
      }
      long windows = 0;
      List<PatternWriter> writers = new ArrayList<>();
      for (int i = 0; i < CAP; i++) {
        Session s = await(opening.get(i));
        int window = await(services.accepted(s.id())).receiveWindow();
        assertTrue(window >= Budget.MIN_WINDOW, "window " + window);
        windows += window;
        // Three windows' worth: every session needs grants to finish.
        writers.add(new PatternWriter(s, i, 3 * window, 8 * 1024).start());
      }
      assertTrue(windows <= BUDGET, "windows sum to " + windows);
      for (PatternWriter writer : writers) {
        long sent = await(writer.done);
        assertEquals(sent, await(services.sinks.get(writer.session().id()).done));
      }
    }
  }

  @Test
  void aQuietSessionLearnsThatItsLastBytesWereConsumed() throws Exception {
    try (Fixture f = new Fixture(CONFIG, new Services())) {
      Fixture.Link link = f.link();
      Session s = await(f.a.open("echo", new byte[0]));
      // Far less than half a window each way: only the idle sweep (once a second) grants it.
      CompletableFuture<Void> toA = creditReaching(link.client(), s.id(), 100);
      CompletableFuture<Void> toB = creditReaching(link.server(), s.id(), 100);
      PatternReader back = new PatternReader(9);
      s.handler(back);
      s.write(Pattern.chunk(9, 0, 100));
      await(back.reached(100));
      await(toA);
      await(toB);
    }
  }

  /** Completes when a Credit arrives on {@code channel} saying {@code consumed} bytes of {@code session} were consumed. */
  private static CompletableFuture<Void> creditReaching(Channel channel, SessionId session, long consumed) {
    CompletableFuture<Void> seen = new CompletableFuture<>();
    String decoder = channel.pipeline().context(FrameDecoder.class).name();
    channel.pipeline().addAfter(decoder, null, new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Frame.Credit c && c.session() == session.value() && c.consumed() >= consumed) {
          seen.complete(null);
        }
        ctx.fireChannelRead(msg);
      }
    });
    return seen;
  }

  @Test
  void aLoneSessionStillGrowsItsWindow() throws Exception {
    Services services = new Services();
    try (Fixture f = new Fixture(CONFIG, services)) {
      f.link();
      Session s = await(f.a.open("source", Services.args(5, 20_000_000)));
      int first = s.receiveWindow();
      assertEquals(BUDGET / CAP, first, "its share of the budget");
      PatternReader reader = new PatternReader(5);
      s.handler(reader);
      assertEquals(20_000_000L, await(reader.done));
      int grown = s.executor().submit(s::receiveWindow).get();
      assertTrue(grown >= 16 * first, "window " + first + " grew only to " + grown);
    }
  }

  @Test
  void aSecondBulkSessionStartsAtTheWindowTheFirstReached() throws Exception {
    MuxConfig config = MuxConfig.defaults().withWindows(32 * 1024, 16 * 1024 * 1024);
    try (Fixture f = new Fixture(config, new Services())) {
      f.link(Duration.ofMillis(5));
      int reached = windowAfter(f.a, 1, 20_000_000);
      assertTrue(reached >= 4 * 1024 * 1024, "the first session's window grew only to " + reached);
      // Doubling from 32 KiB, 1 MB is consumed before the window passes 1 MiB; from the path's
      // window it is a round trip. The path's window is shared among the busy sessions, and the
      // first still counts as busy for up to a second after its last window.
      int second = windowAfter(f.a, 2, 1_000_000);
      assertTrue(second >= reached / 2, "the second session's window is " + second + ", the first's was " + reached);
    }
  }

  /** Reads {@code bytes} of a source session opened on {@code table}; returns its receive window then. */
  private static int windowAfter(SessionTable table, long seed, long bytes) throws Exception {
    Session s = await(table.open("source", Services.args(seed, bytes)));
    PatternReader reader = new PatternReader(seed);
    s.handler(reader);
    assertEquals(bytes, await(reader.done));
    return s.executor().submit(s::receiveWindow).get();
  }

  @Test
  void aSessionWhosePathStallsStillGrowsItsWindow() throws Exception {
    MuxConfig config = MuxConfig.defaults().withWindows(32 * 1024, 16 * 1024 * 1024);
    try (Fixture f = new Fixture(config, new Services())) {
      // A 10 ms round trip, as the stream's first Ping measures it.
      Fixture.Link link = f.link(Duration.ofMillis(5));
      // As TCP recovering a lost segment: every 128 KiB, A's delivery waits three round trips,
      // so no whole window above 128 KiB arrives within two round trips.
      link.clientTap().stallEvery(128 * 1024, Duration.ofMillis(30));
      Session s = await(f.a.open("source", Services.args(7, 4_000_000)));
      int first = s.receiveWindow();
      PatternReader reader = new PatternReader(7);
      s.handler(reader);
      assertEquals(4_000_000L, await(reader.done));
      int grown = s.executor().submit(s::receiveWindow).get();
      assertTrue(grown >= 32 * first, "window " + first + " grew only to " + grown);
    }
  }
}
