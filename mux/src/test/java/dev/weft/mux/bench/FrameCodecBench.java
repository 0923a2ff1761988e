package dev.weft.mux.bench;

import dev.weft.mux.Frame;
import dev.weft.mux.FrameDecoder;
import dev.weft.mux.FrameEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Encoding and decoding one batch of 64 Data frames of 16 KiB (1 MiB of payload) plus one Read,
 * through the real Netty handlers. One op = one MiB of session data. Run:
 * <pre>
 * mvn -q -o -pl mux test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/mux-cp.txt -Dmdep.includeScope=test
 * java -cp mux/target/test-classes:mux/target/classes:$(cat /tmp/mux-cp.txt) org.openjdk.jmh.Main FrameCodecBench -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameCodecBench {
  private static final int CHUNK = 16 * 1024;
  private static final int FRAMES = 64;

  private ByteBuf payload;
  private ByteBuf encoded;
  private EmbeddedChannel encoder;
  private EmbeddedChannel decoder;

  @Setup(Level.Trial)
  public void setUp() {
    payload = PooledByteBufAllocator.DEFAULT.directBuffer(CHUNK).writeZero(CHUNK);
    encoder = new EmbeddedChannel(FrameEncoder.INSTANCE);
    encoded = PooledByteBufAllocator.DEFAULT.directBuffer();
    encoder.writeOutbound(new Frame.Hello(1, 65536));
    drainInto(encoded);
    decoder = new EmbeddedChannel(new FrameDecoder(65536));
    decoder.writeInbound(encoded.retainedDuplicate());
    decoder.readInbound();
    encoded.clear();
    encodeBatch();
    drainInto(encoded);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    payload.release();
    encoded.release();
    encoder.finishAndReleaseAll();
    decoder.finishAndReleaseAll();
  }

  private void encodeBatch() {
    for (int i = 0; i < FRAMES; i++) {
      encoder.write(new Frame.Data(1, (long) i * CHUNK, payload.retainedDuplicate()));
    }
    encoder.write(new Frame.Credit(1, FRAMES * CHUNK, 256 * 1024));
    encoder.flush();
  }

  private void drainInto(ByteBuf target) {
    for (ByteBuf b; (b = encoder.readOutbound()) != null; ) {
      target.writeBytes(b);
      b.release();
    }
  }

  @Benchmark
  public void encode(Blackhole bh) {
    encodeBatch();
    for (ByteBuf b; (b = encoder.readOutbound()) != null; ) {
      bh.consume(b.readableBytes());
      b.release();
    }
  }

  @Benchmark
  public void decode(Blackhole bh) {
    decoder.writeInbound(encoded.retainedDuplicate());
    for (Frame f; (f = decoder.readInbound()) != null; ) {
      bh.consume(f.session());
      if (f instanceof Frame.Data d) {
        d.release();
      }
    }
  }
}
