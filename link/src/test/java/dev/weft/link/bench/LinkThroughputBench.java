package dev.weft.link.bench;

import dev.weft.identity.NodeKey;
import dev.weft.link.Endpoint;
import dev.weft.link.Linker;
import dev.weft.link.Listener;
import dev.weft.link.Stream;
import dev.weft.link.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One stream over loopback: how fast plaintext goes through Noise, framing and the transport.
 * Each operation sends 8 MiB in 64 KiB writes (respecting writability) and waits until the far end
 * has received it all; MB/s = ops/s × 8.4. Run like {@link LinkCipherBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class LinkThroughputBench {
  private static final int CHUNK = 64 * 1024;
  private static final int TOTAL = 8 * 1024 * 1024;

  @Param({"TCP", "KCP"})
  public Transport transport;

  private Linker sender;
  private Linker receiver;
  private Channel channel;
  private Sink sink;
  private ByteBuf chunk;

  @Setup
  public void setUp() throws Exception {
    sink = new Sink();
    NodeKey receiverKey = NodeKey.generate();
    receiver = Linker.builder(receiverKey).threads(1)
        .onStream(stream -> stream.channel().pipeline().addLast(sink)).build();
    sender = Linker.builder(NodeKey.generate()).threads(1).build();
    Listener listener = receiver.listen(new Endpoint(transport, "127.0.0.1", 0)).get(10, TimeUnit.SECONDS);
    Stream stream = sender.dial(listener.endpoint(), receiverKey.identity()).get(10, TimeUnit.SECONDS);
    channel = stream.channel();
    chunk = Unpooled.directBuffer(CHUNK).writeZero(CHUNK);
  }

  @TearDown
  public void tearDown() {
    chunk.release();
    sender.close();
    receiver.close();
  }

  @Benchmark
  public long send8MiB() throws Exception {
    CompletableFuture<Long> received = sink.expect(TOTAL);
    CompletableFuture<Void> sent = new CompletableFuture<>();
    channel.eventLoop().execute(new Runnable() {
      private int left = TOTAL / CHUNK;

      @Override
      public void run() {
        while (left > 0 && channel.isWritable()) {
          channel.write(chunk.retainedDuplicate());
          left--;
        }
        channel.flush();
        if (left == 0) {
          sent.complete(null);
        } else if (channel.isActive()) {
          // Resume once the transport has drained below the low water mark.
          channel.eventLoop().schedule(this, 50, TimeUnit.MICROSECONDS);
        } else {
          sent.completeExceptionally(new IllegalStateException("stream closed"));
        }
      }
    });
    sent.get(60, TimeUnit.SECONDS);
    return received.get(60, TimeUnit.SECONDS);
  }

  /** Counts received bytes and releases them. */
  @io.netty.channel.ChannelHandler.Sharable
  static final class Sink extends ChannelInboundHandlerAdapter {
    private long count;
    private long target;
    private CompletableFuture<Long> done = new CompletableFuture<>();

    synchronized CompletableFuture<Long> expect(long bytes) {
      count = 0;
      target = bytes;
      done = new CompletableFuture<>();
      return done;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      synchronized (this) {
        count += buf.readableBytes();
        if (count >= target) {
          done.complete(count);
        }
      }
      buf.release();
    }
  }
}
