package dev.weft.node;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * Holds what a socket delivers before its bridge joins, and hands it on when removed.
 *
 * <p>Auto-read off does not keep every byte out: the epoll transport reads a socket whose peer
 * half-closed (EPOLLRDHUP) to see the end of input, so data and the input-shutdown event can reach
 * the pipeline while the session is still opening. At most one receive buffer's worth arrives.
 */
final class EarlyInput extends ChannelInboundHandlerAdapter {
  static final String NAME = "early-input";
  private final Queue<Object> held = new ArrayDeque<>();
  private boolean inputShutdown;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    held.add(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    // Nothing to pass on until the bridge joins.
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event == ChannelInputShutdownEvent.INSTANCE) {
      inputShutdown = true;
    } else {
      ctx.fireUserEventTriggered(event);
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    boolean any = !held.isEmpty();
    for (Object msg; (msg = held.poll()) != null; ) {
      ctx.fireChannelRead(msg);
    }
    if (any) {
      ctx.fireChannelReadComplete();
    }
    if (inputShutdown) {
      ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    }
  }
}
