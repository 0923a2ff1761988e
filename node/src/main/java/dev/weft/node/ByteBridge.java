package dev.weft.node;

import dev.weft.mux.Session;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;

/**
 * A {@link SessionBridge} whose channel carries the session's bytes as they are, with no framing:
 * a TCP connection ({@link TcpBridge}) or one end of an in-memory pipe ({@link PipeBridge}).
 */
abstract class ByteBridge extends SessionBridge {
  ByteBridge(Session session, Channel channel) {
    super(session, channel);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf data) {
      toSession(data);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  protected void writeFailed(Throwable failure) {
    channel.close();
  }

  @Override
  protected Object frame(ByteBuf data) {
    return data;
  }
}
