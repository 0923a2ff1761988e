package dev.weft.node;

import dev.weft.identity.Identity;
import dev.weft.mux.Session;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One relayed stream at the relay: a pipe whose two ends are bridged to the two sessions, closed
 * when it has carried its byte limit or lasted its time (closing one end closes both).
 */
final class RelayCircuit {
  private static final Logger LOG = LoggerFactory.getLogger(RelayCircuit.class);

  private final RelayLimits limits;
  private final String name;
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  /** Bytes both ways; both ends run on the pipe's one loop. */
  private long bytes;

  RelayCircuit(RelayLimits limits, Identity source, Identity target) {
    this.limits = limits;
    this.name = source.shortText() + " -> " + target.shortText();
  }

  /** Sets up one end of the pipe, bridged to {@code session}. */
  void end(Channel channel, Session session) {
    channel.pipeline().addLast("meter", new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        bytes += ((ByteBuf) msg).readableBytes();
        if (bytes > limits.bytesPerStream()) {
          ((ByteBuf) msg).release();
          close(ctx.channel(), "carried its " + limits.bytesPerStream() + " bytes");
          return;
        }
        ctx.fireChannelRead(msg);
      }
    });
    PipeBridge.join(channel, session);
    long millis = limits.streamDuration().toMillis();
    ScheduledFuture<?> timer = channel.eventLoop().schedule(
        () -> close(channel, "lasted " + limits.streamDuration()), millis, TimeUnit.MILLISECONDS);
    channel.closeFuture().addListener(f -> {
      timer.cancel(false);
      closed.complete(null);
    });
  }

  private void close(Channel channel, String why) {
    if (channel.isOpen()) {
      LOG.info("relayed stream {} closed: {}", name, why);
      channel.close();
    }
  }

  /** Completes once the pipe has closed. */
  CompletableFuture<Void> closed() {
    return closed;
  }
}
