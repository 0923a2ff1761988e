package dev.weft.link;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;

/** Test sink at the end of a stream's pipeline: collects the plaintext it delivers. */
final class Received extends ChannelInboundHandlerAdapter {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private CompletableFuture<byte[]> waiting;
  private int target;

  /** Completes with everything received once at least {@code count} bytes have arrived. */
  synchronized CompletableFuture<byte[]> first(int count) {
    waiting = new CompletableFuture<>();
    target = count;
    check();
    return waiting;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf buf = (ByteBuf) msg;
    try {
      synchronized (this) {
        buf.readBytes(bytes, buf.readableBytes());
        check();
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    } finally {
      buf.release();
    }
  }

  private void check() {
    if (waiting != null && bytes.size() >= target) {
      waiting.complete(bytes.toByteArray());
    }
  }
}
