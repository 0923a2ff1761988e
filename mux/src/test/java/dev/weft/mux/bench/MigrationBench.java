package dev.weft.mux.bench;

import dev.weft.mux.MuxConfig;
import dev.weft.mux.PeerListener;
import dev.weft.mux.Session;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Migration and failover of one session that is saturated with writes, between two in-memory
 * peers. {@code migrate}: one marker migration to the other stream (the time the initiator's
 * writes stay paused, plus two executor hops); sample mode gives p50/p99. {@code failover}: the
 * session's stream is closed abruptly while a second one is attached; time until the session has
 * resumed on it. Run:
 * <pre>
 * mvn -q -o -pl mux test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/mux-cp.txt -Dmdep.includeScope=test
 * java -cp mux/target/test-classes:mux/target/classes:$(cat /tmp/mux-cp.txt) org.openjdk.jmh.Main MigrationBench
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MigrationBench {
  private final AtomicBoolean running = new AtomicBoolean(true);
  private volatile CompletableFuture<Duration> resumed = new CompletableFuture<>();
  private MemoryPeers peers;
  private MemoryPeers.Link current;
  private MemoryPeers.Link other;
  private Session session;
  private ByteBuf block;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    PeerListener failovers = new PeerListener() {
      @Override
      public void failoverDone(Session s, long toStream, Duration took) {
        resumed.complete(took);
      }
    };
    peers = new MemoryPeers(MuxConfig.defaults(), MemoryPeers.DISCARD, failovers);
    current = peers.link();
    other = peers.link();
    session = peers.sender.open("discard", new byte[0]).get(10, TimeUnit.SECONDS);
    if (session.streamId() != current.id()) {
      swap();
    }
    block = PooledByteBufAllocator.DEFAULT.directBuffer(64 * 1024).writeZero(64 * 1024);
    MemoryPeers.load(session, block, running);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    running.set(false);
    peers.close();
    block.release();
  }

  private void swap() {
    MemoryPeers.Link t = current;
    current = other;
    other = t;
  }

  @Benchmark
  public Duration migrate() throws Exception {
    Duration pause = peers.sender.migrate(session.id(), other.id()).get(10, TimeUnit.SECONDS);
    swap();
    return pause;
  }

  /** A fresh spare stream before each failover (not timed). */
  @Setup(Level.Invocation)
  public void spare() throws Exception {
    if (other == null) {
      other = peers.link();
    }
    resumed = new CompletableFuture<>();
  }

  @Benchmark
  public Duration failover() throws Exception {
    current.kill();
    Duration took = resumed.get(10, TimeUnit.SECONDS);
    current = other;
    other = null;
    return took;
  }
}
