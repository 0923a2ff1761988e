package dev.weft.mux.bench;

import dev.weft.mux.Acceptance;
import dev.weft.mux.Acceptor;
import dev.weft.mux.MuxConfig;
import dev.weft.mux.PeerListener;
import dev.weft.mux.Reason;
import dev.weft.mux.Session;
import dev.weft.mux.SessionHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * One session between two in-memory peers (LocalChannel, separate event loops): one op writes
 * 1 MiB and waits until the receiver has consumed it, so ops/s = MiB/s and {@code -prof gc}
 * gives allocation per MiB. Run:
 * <pre>
 * mvn -q -o -pl mux test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/mux-cp.txt -Dmdep.includeScope=test
 * java -cp mux/target/test-classes:mux/target/classes:$(cat /tmp/mux-cp.txt) org.openjdk.jmh.Main SessionPairBench -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SessionPairBench {
  private static final int MIB = 1024 * 1024;
  private static final int WRITE = 64 * 1024;

  private final AtomicLong consumed = new AtomicLong();
  private volatile long target;
  private volatile CompletableFuture<Void> arrived;
  private MemoryPeers peers;
  private Session session;
  private ByteBuf block;
  private long sent;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    SessionHandler sink = new SessionHandler() {
      @Override
      public void onData(Session s, ByteBuf data) {
        long total = consumed.addAndGet(data.readableBytes());
        data.release();
        CompletableFuture<Void> waiting = arrived;
        if (waiting != null && total >= target) {
          waiting.complete(null);
        }
      }
    };
    Acceptor acceptor = q -> q.service().equals("sink") ? Acceptance.accept(s -> s.handler(sink))
        : Acceptance.reject(Reason.NO_SUCH_SERVICE);
    peers = new MemoryPeers(MuxConfig.defaults(), acceptor, PeerListener.NONE);
    peers.link();
    session = peers.sender.open("sink", new byte[0]).get(10, TimeUnit.SECONDS);
    block = PooledByteBufAllocator.DEFAULT.directBuffer(WRITE).writeZero(WRITE);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    block.release();
    peers.close();
  }

  @Benchmark
  public void transferOneMebibyte() throws Exception {
    sent += MIB;
    target = sent;
    CompletableFuture<Void> done = new CompletableFuture<>();
    arrived = done;
    if (consumed.get() >= sent) {
      done.complete(null);
    }
    CompletableFuture<Void> last = null;
    for (int i = 0; i < MIB / WRITE; i++) {
      last = session.write(block.retainedDuplicate());
    }
    last.get(10, TimeUnit.SECONDS);
    done.get(10, TimeUnit.SECONDS);
  }
}
