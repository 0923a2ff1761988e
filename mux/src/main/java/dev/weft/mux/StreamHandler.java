package dev.weft.mux;

import dev.weft.identity.IdText;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last handler of an attached stream's pipeline, on the stream's event loop: hands decoded
 * frames to the table's executor in one task per read batch, and reports writability, protocol
 * errors and the end of the stream.
 */
final class StreamHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(StreamHandler.class);

  private final SessionTable table;
  private final MuxStream stream;
  private final Inbound inbound;
  private final Frame.Hello hello;
  private List<Frame> batch = new ArrayList<>();
  private boolean helloSent;

  StreamHandler(SessionTable table, MuxStream stream, Inbound inbound, Frame.Hello hello) {
    this.table = table;
    this.stream = stream;
    this.inbound = inbound;
    this.hello = hello;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      sayHello(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    sayHello(ctx);
    ctx.fireChannelActive();
  }

  /** Hello is the first frame this side writes on the stream. */
  private void sayHello(ChannelHandlerContext ctx) {
    if (!helloSent) {
      helloSent = true;
      ctx.writeAndFlush(hello, ctx.voidPromise());
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Frame frame) {
      batch.add(frame);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    handOver();
  }

  private void handOver() {
    if (batch.isEmpty()) {
      return;
    }
    List<Frame> frames = batch;
    batch = new ArrayList<>();
    table.post(() -> table.onFrames(stream, inbound, frames), () -> frames.forEach(ReferenceCountUtil::release));
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      table.later(stream::schedulePump); // never inline: this event can fire inside the scheduler's own flush
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof MuxProtocolException && !ctx.channel().isActive()) {
      // The transport ended inside a frame: its own close reason says why, not the peer's framing.
      log.debug("stream {} ended: {}", IdText.of(stream.id()), cause.getMessage());
    } else if (cause instanceof MuxProtocolException) {
      log.warn("stream {}: mux protocol error: {}", IdText.of(stream.id()), cause.getMessage());
      stream.fail("mux protocol error: " + cause.getMessage());
    } else if (ctx.channel().isActive()) {
      log.debug("stream {} failed", IdText.of(stream.id()), cause);
      stream.fail(cause.toString());
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    handOver();
    table.post(() -> table.detached(stream), () -> { });
    ctx.fireChannelInactive();
  }
}
