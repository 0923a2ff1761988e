package dev.weft.mux;

import dev.weft.link.testing.TrackingAllocator;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Two session tables, A (high side) and B, joined by in-memory streams that all run on ONE
 * event loop, so that a sequence of operations replays: every operation runs on the loop, then
 * the loop is drained until nothing is left to do. Each table draws its session ids from a fixed
 * seed, so the ids, and the order the tables walk their sessions in, are the same on every run.
 * Real time plays no part, so how long an input takes (the fuzzer's instrumentation makes some
 * take seconds) never changes what it does: no timer fires (the loop puts each one ten years off),
 * the grant sweep, every second otherwise, is called by hand in {@link #settle}, and the tables'
 * clock moves a microsecond each time it is read (so round trips, which pick the stream a session
 * fails over to, differ by the work done meanwhile) and a second per sweep.
 *
 * <p>Keeps the model the invariants are checked against: what each side wrote on each session
 * (pattern bytes, see {@link #pattern}), what the other side received, which sessions a forged
 * frame touched, and every failure a caller saw.
 */
final class SessionMachine implements AutoCloseable {
  static final int MAX_WRITE = 2048;
  static final int MAX_STREAMS = 3;
  static final MuxConfig CONFIG = MuxConfig.defaults()
      .withFrames(Wire.MIN_PAYLOAD, 512)
      .withWindows(4096, 8192)
      .withLimits(4, 8, 8, 32 * 1024, 4096)
      .withPing(Duration.ofHours(1), Duration.ofHours(2))
      .withTimeouts(Duration.ofHours(1), Duration.ofHours(1), Duration.ZERO)
      .withFailoverGrace(Duration.ofHours(1));
  /** How far the tables' clock moves each time it is read. */
  private static final long TICK = TimeUnit.MICROSECONDS.toNanos(1);
  /** Tasks a drain may run before the input counts as a livelock. */
  private static final int MAX_DRAIN_TASKS = 200_000;
  private static final DefaultEventLoop LOOP = new TimerlessLoop();
  private static final AtomicLong ADDRESSES = new AtomicLong();

  /** An event loop that runs every timer ten years late, that is never within a test. */
  private static final class TimerlessLoop extends DefaultEventLoop {
    private static final long LATE_DAYS = 3650;

    @Override
    public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
      return super.schedule(task, LATE_DAYS, TimeUnit.DAYS);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> task, long delay, TimeUnit unit) {
      return super.schedule(task, LATE_DAYS, TimeUnit.DAYS);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, long delay, long period, TimeUnit unit) {
      return super.scheduleAtFixedRate(task, LATE_DAYS, LATE_DAYS, TimeUnit.DAYS);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, long delay, long period, TimeUnit unit) {
      return super.scheduleWithFixedDelay(task, LATE_DAYS, LATE_DAYS, TimeUnit.DAYS);
    }
  }

  /** One direction of one session: bytes accepted by the writer, bytes delivered to the reader. */
  static final class Flow {
    long written;
    long delivered;
    boolean ended;
    boolean reset;
    String violation;
  }

  /** A side of the pair. */
  final class Side {
    final boolean high;
    final SessionTable table;
    final Map<Long, Session> sessions = new LinkedHashMap<>();
    final Set<Long> paused = new HashSet<>();

    Side(boolean high) {
      this.high = high;
      Acceptor acceptor = query -> Acceptance.accept(this::adopt);
      this.table = new SessionTable(LOOP, high, CONFIG, acceptor, PeerListener.NONE,
          StreamChooser.BEST_QUALITY, NodeScope.unlimited(), new SplittableRandom(high ? 1 : 2), () -> nanoTime += TICK);
    }

    /** A session this side opened or accepted: its data is checked against what the peer wrote. */
    void adopt(Session s) {
      sessions.put(s.id().value(), s);
      Flow in = flow(!high, s.id().value());
      s.handler(new SessionHandler() {
        @Override
        public void onData(Session session, ByteBuf data) {
          try {
            while (data.isReadable()) {
              byte got = data.readByte();
              if (in.violation == null && got != pattern(!high, session.id().value(), in.delivered)) {
                in.violation = "byte " + in.delivered + " differs from what was written";
              }
              in.delivered++;
            }
          } finally {
            data.release();
          }
        }

        @Override
        public void onEnd(Session session) {
          in.ended = true;
        }

        @Override
        public void onReset(Session session, SessionResetException cause) {
          in.reset = true;
        }
      });
    }

    Side peer() {
      return high ? b : a;
    }
  }

  /** One stream: its id, both channel ends and the taps at their heads. */
  record Link(long id, Channel client, Tap clientTap, Channel server, Tap serverTap) {
    Channel end(boolean high) {
      return high ? client : server;
    }

    /** From now on the stream loses everything in flight, both ways, and nobody is told. */
    void blackhole() {
      clientTap.drop();
      serverTap.drop();
    }

    boolean blackholed() {
      return clientTap.dropping();
    }

    void kill() {
      client.close();
      server.close();
    }
  }

  final TrackingAllocator alloc = new TrackingAllocator();
  final Side a;
  final Side b;
  final List<Link> links = new ArrayList<>();
  /** Key: (writer is high side, session id). */
  final Map<List<Object>, Flow> flows = new HashMap<>();
  final Set<Long> forged = new HashSet<>();
  final List<Throwable> failures = new ArrayList<>();
  boolean forgedAll;
  private final LocalAddress address = new LocalAddress("machine-" + ADDRESSES.incrementAndGet());
  private final Channel server;
  private final Map<Long, Link> serverEnds = new HashMap<>();
  private long nextStream;
  /** The tables' clock. */
  private long nanoTime;

  SessionMachine() throws Exception {
    a = call(() -> new Side(true));
    b = call(() -> new Side(false));
    server = new ServerBootstrap().group(LOOP).channel(LocalServerChannel.class)
        .childHandler(new ChannelInitializer<LocalChannel>() {
          @Override
          protected void initChannel(LocalChannel ch) {
            ch.config().setAllocator(alloc);
            Tap tap = new Tap();
            ch.pipeline().addLast(tap);
            b.table.attach(ch, nextStream, reason -> ch.close());
            serverEnds.put(nextStream, new Link(nextStream, null, null, ch, tap));
          }
        }).bind(address).sync().channel();
  }

  /**
   * The pattern byte {@code offset} of what the high (or low) side writes on {@code session}:
   * a lost, duplicated or reordered byte shows as a mismatch.
   */
  static byte pattern(boolean high, long session, long offset) {
    long h = (offset + 1) * 0x9E3779B97F4A7C15L ^ session * 0xC2B2AE3D27D4EB4FL ^ (high ? 1 : 2);
    return (byte) (h ^ h >>> 29 ^ h >>> 47);
  }

  Flow flow(boolean writerHigh, long session) {
    return flows.computeIfAbsent(List.of(writerHigh, session), k -> new Flow());
  }

  /** Connects a new stream (both ends attached and Hello exchanged once drained). */
  void connect() throws Exception {
    long id = ++nextStream;
    Tap tap = new Tap();
    Channel client = new Bootstrap().group(LOOP).channel(LocalChannel.class)
        .handler(new ChannelInitializer<LocalChannel>() {
          @Override
          protected void initChannel(LocalChannel ch) {
            ch.config().setAllocator(alloc);
            ch.pipeline().addLast(tap);
            a.table.attach(ch, id, reason -> ch.close());
          }
        }).connect(address).sync().channel();
    drain();
    Link server = serverEnds.get(id);
    links.add(new Link(id, client, tap, server.server(), server.serverTap()));
  }

  List<Link> openLinks() {
    return links.stream().filter(l -> l.client().isActive()).toList();
  }

  /** Runs {@code op} on the loop and waits for it and for everything it set off. */
  <T> T call(Callable<T> op) throws Exception {
    T result = await(LOOP.submit(op));
    drain();
    return result;
  }

  void run(ThrowingRunnable op) throws Exception {
    call(() -> {
      op.run();
      return null;
    });
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  /** Runs tasks until the loop has none left; too many means a livelock. */
  void drain() throws Exception {
    for (int i = 0; i < MAX_DRAIN_TASKS; i++) {
      if (await(LOOP.submit(LOOP::pendingTasks)) == 0) {
        return;
      }
    }
    throw new AssertionError("the pair still had work after " + MAX_DRAIN_TASKS + " tasks: livelock");
  }

  private static <T> T await(java.util.concurrent.Future<T> f) throws Exception {
    try {
      return f.get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception ex) {
        throw ex;
      }
      throw new AssertionError(e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("the pair's event loop did not answer within 20 s: hang");
    }
  }

  /** Remembers {@code f}'s failure, if any, for the check that only documented ones occur. */
  void watch(CompletableFuture<?> f) {
    f.whenComplete((v, e) -> {
      if (e != null) {
        failures.add(e);
      }
    });
  }

  /**
   * Lets everything in flight arrive: resumes every paused session, kills the blackholed streams
   * (as the ping timeout would), makes sure a stream is live (sessions failing over resume on
   * it), and grants the credit owed, until nothing moves.
   */
  void settle() throws Exception {
    run(() -> openLinks().stream().filter(Link::blackholed).forEach(Link::kill));
    run(() -> {
      for (Side side : List.of(a, b)) {
        side.sessions.values().forEach(Session::resume);
        side.paused.clear();
      }
    });
    if (openLinks().isEmpty()) {
      connect();
    }
    for (int round = 0; round < 8; round++) {
      run(() -> {
        nanoTime += TimeUnit.SECONDS.toNanos(1);
        a.table.sweepGrants();
        b.table.sweepGrants();
      });
    }
  }

  /** What the pair may hold: per live session and direction, two windows, the queue and one write. */
  long memoryBound() throws Exception {
    int live = call(() -> a.table.sessionCount() + b.table.sessionCount());
    long perDirection = 2L * CONFIG.maxWindow() + CONFIG.maxQueuedWrites() + MAX_WRITE;
    long perStream = 4L * (CONFIG.maxPayload() + Wire.HEADER + 8);
    return live * perDirection + links.size() * perStream + 64 * 1024;
  }

  /** Closes both tables and every stream, then fails if any buffer is still referenced. */
  @Override
  public void close() throws Exception {
    CompletableFuture<Void> closedA = a.table.close();
    CompletableFuture<Void> closedB = b.table.close();
    drain();
    await(closedA);
    await(closedB);
    for (Link l : links) {
      l.client().close();
    }
    server.close();
    drain();
    alloc.assertAllReleased();
  }
}
