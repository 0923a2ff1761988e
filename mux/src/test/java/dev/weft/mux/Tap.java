package dev.weft.mux;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;

/** Test handler at the head of a pipeline: can make the path silently drop everything, or die. */
final class Tap extends ChannelDuplexHandler {
  private volatile boolean dropping;

  /** From now on nothing passes in either direction, and nobody is told. */
  void drop() {
    dropping = true;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (dropping) {
      ReferenceCountUtil.release(msg);
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (dropping) {
      ReferenceCountUtil.release(msg);
      promise.trySuccess();
    } else {
      ctx.write(msg, promise);
    }
  }
}
