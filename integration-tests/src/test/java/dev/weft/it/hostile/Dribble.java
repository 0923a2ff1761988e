package dev.weft.it.hostile;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A slowloris connection: writes valid bytes one at a time and notes when the server hangs up. */
final class Dribble {
  private final Channel channel;
  private final CompletableFuture<Long> closedAfter = new CompletableFuture<>();

  private Dribble(Channel channel) {
    this.channel = channel;
  }

  /** Connects to {@code to} and writes one byte of {@code bytes} every {@code periodMillis}. */
  static Dribble start(EventLoopGroup loop, InetSocketAddress to, byte[] bytes, long periodMillis)
      throws InterruptedException {
    long start = System.nanoTime();
    Channel channel = new Bootstrap().group(loop).channel(NioSocketChannel.class)
        .handler(new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
          }
        })
        .connect(to).sync().channel();
    Dribble dribble = new Dribble(channel);
    int[] next = {0};
    ScheduledFuture<?> writer = channel.eventLoop().scheduleAtFixedRate(() -> {
      if (next[0] < bytes.length) {
        channel.writeAndFlush(Unpooled.wrappedBuffer(bytes, next[0]++, 1));
      }
    }, 0, periodMillis, TimeUnit.MILLISECONDS);
    channel.closeFuture().addListener(f -> {
      writer.cancel(false);
      dribble.closedAfter.complete(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    });
    return dribble;
  }

  /** How long after connecting the server closed the connection. */
  long closedAfterMillis(long waitMillis) throws Exception {
    return closedAfter.get(waitMillis, TimeUnit.MILLISECONDS);
  }

  void close() {
    channel.close();
  }
}
