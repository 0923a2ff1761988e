package dev.weft.mux;

import static dev.weft.mux.Fixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class SessionTest {
  private static final MuxConfig CONFIG = MuxConfig.defaults();

  @Test
  void echoReturnsEveryByteInOrder() throws Exception {
    Services services = new Services();
    try (Fixture f = new Fixture(CONFIG, services)) {
      f.link();
      Session s = await(f.a.open("echo", new byte[0]));
      assertEquals(SessionState.OPEN, s.state());
      assertEquals(Direction.OUTBOUND, s.direction());
      PatternReader back = new PatternReader(7);
      s.handler(back);
      PatternWriter out = new PatternWriter(s, 7, 3_000_000, 100_000).start();
      assertEquals(3_000_000L, await(back.done));
      assertEquals(3_000_000L, await(out.done));
      await(s.closeFuture());
      assertEquals(SessionState.CLOSED, s.state());
      assertEquals(3_000_000L, s.bytesIn());
      assertEquals(3_000_000L, s.bytesOut());
      assertTrue(f.a.sessions().isEmpty());
    }
  }

  @Test
  void eitherSideCanOpenAndIdsComeFromDisjointHalves() throws Exception {
    Services onA = new Services();
    Services onB = new Services();
    try (Fixture f = new Fixture(CONFIG, onA, onB)) {
      f.link();
      Session fromA = await(f.a.open("echo", new byte[0]));
      Session fromB = await(f.b.open("echo", new byte[0]));
      assertTrue(fromA.id().value() < 0, "high side ids have the top bit set");
      assertTrue(fromB.id().value() > 0, "low side ids do not");
      assertEquals(Direction.INBOUND, await(onA.accepted(fromB.id())).direction());
      assertEquals(16, fromB.id().toString().length());
      assertEquals(fromB.id(), SessionId.parse(fromB.id().toString()));
      PatternReader back = new PatternReader(4);
      fromB.handler(back);
      new PatternWriter(fromB, 4, 100_000, 10_000).start();
      assertEquals(100_000L, await(back.done));
    }
  }

  @Test
  void aHandlerSetAfterAResetHearsOfIt() throws Exception {
    try (Fixture f = new Fixture(CONFIG, new Services())) {
      f.link();
      Session s = await(f.a.open("echo", new byte[0]));
      s.reset("gone before the handler came");
      assertThrows(ExecutionException.class, () -> await(s.closeFuture()));
      CompletableFuture<SessionResetException> heard = new CompletableFuture<>();
      s.handler(new SessionHandler() {
        @Override
        public void onData(Session session, io.netty.buffer.ByteBuf data) {
          data.release();
        }

        @Override
        public void onReset(Session session, SessionResetException cause) {
          heard.complete(cause);
        }
      });
      assertEquals(Reason.APPLICATION, await(heard).reason());
    }
  }

  @Test
  void idleSessionsAreResetWhenConfigured() throws Exception {
    MuxConfig idle = CONFIG.withTimeouts(CONFIG.openTimeout(), CONFIG.migrateTimeout(), Duration.ofMillis(200));
    try (Fixture f = new Fixture(idle, new Services())) {
      f.link();
      Session s = await(f.a.open("echo", new byte[0]));
      ExecutionException e = assertThrows(ExecutionException.class, () -> await(s.closeFuture()));
      assertEquals(Reason.TIMEOUT, ((SessionResetException) e.getCause()).reason());
      await(f.bEvents.seen("reset TIMEOUT"));
    }
  }

  @Test
  void thousandConcurrentSessionsWithRandomSizesArriveIntact() throws Exception {
    Services services = new Services();
    try (Fixture f = new Fixture(CONFIG, services)) {
      f.link();
      List<CompletableFuture<Long>> results = new ArrayList<>();
      List<Long> sizes = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        long size = ThreadLocalRandom.current().nextLong(0, 200_000);
        long seed = i * 1_000_003L;
        sizes.add(size);
        results.add(f.a.open("sink", Services.args(seed, 0)).thenCompose(s -> {
          new PatternWriter(s, seed, size, 20_000).start();
          return services.accepted(s.id()).thenCompose(remote -> services.sinks.get(s.id()).done);
        }));
      }
      for (int i = 0; i < results.size(); i++) {
        assertEquals(sizes.get(i), await(results.get(i)), "session " + i);
      }
    }
  }

  @Test
  void slowReaderDoesNotHoldUpOthersAndStaysBounded() throws Exception {
    Services services = new Services();
    try (Fixture f = new Fixture(CONFIG, services)) {
      f.link();
      Session slow = await(f.a.open("source", Services.args(1, 50_000_000)));
      List<ByteBuf> held = new ArrayList<>();
      CompletableFuture<Void> firstData = new CompletableFuture<>();
      slow.handler((s, data) -> {
        held.add(data);
        s.pause(); // the reader stops consuming entirely
        firstData.complete(null);
      });
      await(firstData);
      Session fast = await(f.a.open("source", Services.args(2, 20_000_000)));
      PatternReader reader = new PatternReader(2);
      fast.handler(reader);
      assertEquals(20_000_000L, await(reader.done));
      // The stalled session got no credit beyond its window past what its reader took (one
      // delivery, then nothing): the peer sent, and we buffered, at most that. Whether the grant
      // for the taken bytes went out (the once-a-second sweep sends it) does not change the bound.
      long taken = f.a.executor().submit(() -> {
        assertEquals(1, held.size(), "a paused reader gets nothing more");
        return (long) held.get(0).readableBytes();
      }).get();
      long bound = taken + CONFIG.initialWindow();
      Session remote = await(services.accepted(slow.id()));
      assertTrue(remote.bytesOut() <= bound, "sent " + remote.bytesOut() + ", bound " + bound);
      assertTrue(slow.bytesIn() <= bound, "received " + slow.bytesIn() + ", bound " + bound);
      f.a.executor().submit(() -> held.forEach(ByteBuf::release)).get();
    }
  }

  @Test
  void halfCloseWorksInBothDirections() throws Exception {
    Services services = new Services();
    try (Fixture f = new Fixture(CONFIG, services)) {
      f.link();
      Session s = await(f.a.open("echo", new byte[0]));
      InputStream in = s.inputStream();
      OutputStream out = s.outputStream();
      byte[] hello = "hello, half-closed world".getBytes(StandardCharsets.UTF_8);
      out.write(hello);
      out.close(); // our direction ends; the echo still answers, then ends its own
      assertEquals(new String(hello, StandardCharsets.UTF_8), new String(in.readAllBytes(), StandardCharsets.UTF_8));
      await(s.closeFuture());
      Session remote = await(services.accepted(s.id()));
      await(remote.closeFuture());
      assertEquals(SessionState.CLOSED, remote.state());
    }
  }

  @Test
  void peerMayKeepSendingAfterWeHalfClose() throws Exception {
    Services services = new Services();
    try (Fixture f = new Fixture(CONFIG, services)) {
      f.link();
      Session s = await(f.a.open("source", Services.args(9, 1_000_000)));
      await(s.close()); // nothing written: our direction is done at once
      assertEquals(SessionState.HALF_CLOSED_LOCAL, s.state());
      ExecutionException late = assertThrows(ExecutionException.class,
          () -> s.write(Unpooled.wrappedBuffer(new byte[1])).get());
      assertInstanceOf(IllegalStateException.class, late.getCause());
      PatternReader reader = new PatternReader(9);
      s.handler(reader);
      assertEquals(1_000_000L, await(reader.done));
      await(s.closeFuture());
    }
  }

  @Test
  void theStateSaysWhichDirectionFinished() throws Exception {
    Services services = new Services();
    try (Fixture f = new Fixture(CONFIG, services)) {
      f.link();
      Session s = await(f.a.open("source", Services.args(5, 100_000)));
      PatternReader reader = new PatternReader(5);
      s.handler(reader);
      assertEquals(100_000L, await(reader.done));
      assertEquals(SessionState.HALF_CLOSED_REMOTE, s.state()); // the source closed, we did not
      Session source = await(services.accepted(s.id()));
      await(source.close());
      assertEquals(SessionState.HALF_CLOSED_LOCAL, source.state());
      source.handler(new PatternReader(0)); // a session ends once its handler heard the end
      await(s.close());
      await(s.closeFuture());
      await(source.closeFuture());
      assertEquals(SessionState.CLOSED, s.state());
      assertEquals(SessionState.CLOSED, source.state());
    }
  }

  @Test
  void aPingMeasuresTheStreamsRoundTripNow() throws Exception {
    try (Fixture f = new Fixture(CONFIG, new Services())) {
      Fixture.Link link = f.link(Duration.ofMillis(30));
      await(f.a.open("echo", new byte[0]));
      Duration rtt = await(f.a.ping(link.id()));
      assertTrue(rtt.toMillis() >= 60, "a Ping crossed a 30 ms path both ways in " + rtt);
      ExecutionException unknown = assertThrows(ExecutionException.class, () -> f.a.ping(link.id() + 2).get());
      assertInstanceOf(NoSuchElementException.class, unknown.getCause());
    }
  }

  @Test
  void everyRejectReasonReachesTheOpener() throws Exception {
    Services services = new Services();
    MuxConfig tight = CONFIG.withLimits(2048, 4096, 1024, CONFIG.memoryBudget(), CONFIG.maxQueuedWrites());
    try (Fixture f = new Fixture(tight, services)) {
      f.link();
      assertEquals(Reason.NO_SUCH_SERVICE, rejection(f.a.open("nothing-here", new byte[0])));
      assertEquals(Reason.ACCESS_DENIED, rejection(f.a.open("denied", new byte[0])));
      assertEquals(Reason.LIMIT_REACHED, rejection(f.a.open("busy", new byte[0])));
      await(f.b.close());
      assertEquals(Reason.SHUTTING_DOWN, rejection(f.a.open("echo", new byte[0])));
      await(f.bEvents.seen("rejected SHUTTING_DOWN"));
    }
  }

  @Test
  void limitsRejectWithLimitReached() throws Exception {
    Services services = new Services();
    MuxConfig tight = CONFIG.withLimits(2048, 3, 1024, CONFIG.memoryBudget(), CONFIG.maxQueuedWrites());
    try (Fixture f = new Fixture(tight, services)) {
      f.link();
      for (int i = 0; i < 3; i++) {
        await(f.a.open("echo", new byte[0]));
      }
      // Our own per-peer limit refuses before anything is sent.
      assertEquals(Reason.LIMIT_REACHED, rejection(f.a.open("echo", new byte[0])));
    }
    // Windows shrink to fit the budget, down to the minimum: room for two sessions.
    MuxConfig small = CONFIG.withLimits(2048, 4096, 1024, 2L * Budget.MIN_WINDOW, CONFIG.maxQueuedWrites());
    try (Fixture f = new Fixture(CONFIG, services); Fixture g = new Fixture(small, services)) {
      g.link();
      await(g.a.open("echo", new byte[0]));
      await(g.a.open("echo", new byte[0]));
      assertEquals(Reason.LIMIT_REACHED, rejection(g.a.open("echo", new byte[0])));
    }
  }

  @Test
  void resetMidTransferReachesBothSides() throws Exception {
    Services services = new Services();
    try (Fixture f = new Fixture(CONFIG, services)) {
      f.link();
      Session s = await(f.a.open("sink", Services.args(3, 0)));
      PatternWriter writer = new PatternWriter(s, 3, Long.MAX_VALUE, 16_000).start();
      Session remote = await(services.accepted(s.id()));
      PatternReader sink = services.sinks.get(s.id());
      await(sink.reached(1_000_000));
      s.reset("changed my mind");
      ExecutionException e = assertThrows(ExecutionException.class, () -> await(sink.done));
      SessionResetException reset = assertInstanceOf(SessionResetException.class, e.getCause());
      assertEquals(Reason.APPLICATION, reset.reason());
      assertTrue(reset.byPeer());
      assertThrows(ExecutionException.class, () -> await(writer.done));
      assertThrows(ExecutionException.class, () -> await(remote.closeFuture()));
      assertTrue(f.a.sessions().isEmpty());
      await(f.bEvents.seen("reset APPLICATION"));
    }
  }

  @Test
  void pingTimeoutClosesASilentStreamAndEndsItsSessions() throws Exception {
    Services services = new Services();
    MuxConfig quick = CONFIG.withPing(Duration.ofMillis(50), Duration.ofMillis(300)).withFailoverGrace(Duration.ZERO);
    try (Fixture f = new Fixture(quick, services)) {
      Fixture.Link link = f.link();
      Session s = await(f.a.open("echo", new byte[0]));
      assertEquals(link.id(), f.a.streamStats(link.id()).orElseThrow().id());
      assertTrue(f.a.streamStats(link.id() + 1).isEmpty());
      link.blackhole();
      // Whichever side times out first closes the channel; the other sees it close.
      String reasonA = await(f.aEvents.detached(link.id()));
      String reasonB = await(f.bEvents.detached(link.id()));
      assertTrue(reasonA.startsWith("ping timeout") || reasonB.startsWith("ping timeout"), reasonA + " / " + reasonB);
      ExecutionException e = assertThrows(ExecutionException.class, () -> await(s.closeFuture()));
      assertEquals(Reason.STREAM_LOST, ((SessionResetException) e.getCause()).reason());
      assertTrue(f.a.streams().isEmpty());
      assertTrue(f.a.streamStats(link.id()).isEmpty());
    }
  }

  static Reason rejection(CompletableFuture<Session> open) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(open));
    return assertInstanceOf(SessionRejectedException.class, e.getCause()).reason();
  }
}
