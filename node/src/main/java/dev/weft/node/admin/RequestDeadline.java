package dev.weft.node.admin;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection whose next request is not complete in time: from the connection's start,
 * and again from the end of each response. A client that dribbles its headers (slowloris) or
 * idles on a kept-alive connection cannot hold it open. Streaming replies ({@code /events},
 * {@code /connect}) are never cut: the clock only runs while a request is awaited.
 */
final class RequestDeadline extends ChannelDuplexHandler {
  private static final Logger LOG = LoggerFactory.getLogger(RequestDeadline.class);

  private final Duration deadline;
  private ScheduledFuture<?> timer;

  RequestDeadline(Duration deadline) {
    this.deadline = deadline;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      arm(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    arm(ctx);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof FullHttpRequest) {
      disarm();
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof LastHttpContent && ctx.channel().isActive()) {
      arm(ctx);
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    disarm();
    ctx.fireChannelInactive();
  }

  private void arm(ChannelHandlerContext ctx) {
    disarm();
    timer = ctx.executor().schedule(() -> {
      LOG.debug("admin connection {} sent no complete request within {} ms; closed",
          ctx.channel().remoteAddress(), deadline.toMillis());
      ctx.close();
    }, deadline.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void disarm() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
