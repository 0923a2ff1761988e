package dev.weft.mux;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Test handler at the head of a pipeline: can make the path silently drop everything, or delay
 * what arrives (a longer round trip).
 */
final class Tap extends ChannelDuplexHandler {
  private record Held(long due, Object msg) {}

  private final ArrayDeque<Held> held = new ArrayDeque<>();
  private volatile boolean dropping;
  private volatile long delayNanos;

  /** From now on nothing passes in either direction, and nobody is told. */
  void drop() {
    dropping = true;
  }

  /** From now on inbound bytes are held back this long (in order). */
  void delay(Duration delay) {
    delayNanos = delay.toNanos();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (dropping) {
      ReferenceCountUtil.release(msg);
    } else if (delayNanos > 0 || !held.isEmpty()) {
      held.add(new Held(System.nanoTime() + delayNanos, msg));
      if (held.size() == 1) {
        ctx.executor().schedule(() -> release(ctx), delayNanos, TimeUnit.NANOSECONDS);
      }
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  private void release(ChannelHandlerContext ctx) {
    long now = System.nanoTime();
    while (!held.isEmpty() && held.peek().due() <= now) {
      ctx.fireChannelRead(held.poll().msg());
    }
    if (!held.isEmpty()) {
      ctx.executor().schedule(() -> release(ctx), held.peek().due() - now, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    held.forEach(h -> ReferenceCountUtil.release(h.msg()));
    held.clear();
    ctx.fireChannelInactive();
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
