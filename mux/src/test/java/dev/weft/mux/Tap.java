package dev.weft.mux;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Test handler at the head of a pipeline: can make the path silently drop everything, delay what
 * arrives (a longer round trip), or stall delivery now and then as TCP does while it recovers a
 * lost segment (everything behind it waits), or keep one end from learning that the channel closed.
 */
final class Tap extends ChannelDuplexHandler {
  private record Held(long due, Object msg) {}

  private final ArrayDeque<Held> held = new ArrayDeque<>();
  private volatile boolean dropping;
  private volatile boolean hidingClose;
  private volatile long delayNanos;
  private volatile long stallEveryBytes;
  private volatile long stallNanos;
  private long sinceStall;
  private long lastDue;

  /** From now on nothing passes in either direction, and nobody is told. */
  void drop() {
    dropping = true;
  }

  /** From now on this end is not told when the channel closes: its stream lives on as a zombie. */
  void hideClose() {
    hidingClose = true;
  }

  boolean dropping() {
    return dropping;
  }

  /** From now on inbound bytes are held back this long (in order). */
  void delay(Duration delay) {
    delayNanos = delay.toNanos();
  }

  /** From now on, after every {@code bytes} inbound bytes, delivery stops for {@code stall}. */
  void stallEvery(long bytes, Duration stall) {
    stallNanos = stall.toNanos();
    stallEveryBytes = bytes;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (dropping) {
      ReferenceCountUtil.release(msg);
      return;
    }
    long now = System.nanoTime();
    long due = Math.max(now + delayNanos, lastDue);
    if (stallEveryBytes > 0 && msg instanceof ByteBuf buf && (sinceStall += buf.readableBytes()) >= stallEveryBytes) {
      sinceStall %= stallEveryBytes;
      due += stallNanos;
    }
    if (due <= now && held.isEmpty()) {
      ctx.fireChannelRead(msg);
      return;
    }
    lastDue = due;
    held.add(new Held(due, msg));
    if (held.size() == 1) {
      ctx.executor().schedule(() -> release(ctx), due - now, TimeUnit.NANOSECONDS);
    }
  }

  private void release(ChannelHandlerContext ctx) {
    long now = System.nanoTime();
    while (!held.isEmpty() && held.peek().due() <= now) {
      ctx.fireChannelRead(held.poll().msg());
    }
    // Handlers downstream may act only at the end of a read batch (the mux's StreamHandler does).
    ctx.fireChannelReadComplete();
    if (!held.isEmpty()) {
      ctx.executor().schedule(() -> release(ctx), held.peek().due() - now, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    held.forEach(h -> ReferenceCountUtil.release(h.msg()));
    held.clear();
    if (!hidingClose) {
      ctx.fireChannelInactive();
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
