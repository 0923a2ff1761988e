package dev.weft.link;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import java.util.List;

/**
 * Checks the peer's 6-byte hello ("weft", version u16) and then steps aside; bytes after it go on
 * to the {@link MessageDecoder}. Fails on the first wrong byte rather than waiting for all six.
 *
 * <p>The listener answers with its own hello only once the dialer's has arrived (even one with a
 * version it cannot speak, so the dialer learns which version it does speak). Answering earlier
 * would break KCP: a kcp-netty server channel only adopts the dialer's conversation id when the
 * first datagram is processed.
 */
final class HelloDecoder extends ByteToMessageDecoder {
  private final boolean answer;
  private boolean failed;

  HelloDecoder(boolean answer) {
    this.answer = answer;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    int available = Math.min(in.readableBytes(), 4);
    for (int i = 0; i < available; i++) {
      if (in.getByte(in.readerIndex() + i) != LinkProtocol.HELLO[i]) {
        fail(in, "not a weft peer (its first bytes are not the weft hello)");
      }
    }
    if (in.readableBytes() < LinkProtocol.HELLO_LENGTH) {
      return;
    }
    if (answer) {
      ctx.writeAndFlush(Unpooled.wrappedBuffer(LinkProtocol.HELLO));
    }
    int version = in.getUnsignedShort(in.readerIndex() + 4);
    if (version != LinkProtocol.VERSION) {
      fail(in, "incompatible link protocol: the peer speaks weft link version " + version
          + ", this node speaks version " + LinkProtocol.VERSION);
    }
    in.skipBytes(LinkProtocol.HELLO_LENGTH);
    ctx.pipeline().remove(this);
  }

  private void fail(ByteBuf in, String message) {
    failed = true;
    in.skipBytes(in.readableBytes());
    throw new CorruptedFrameException(message);
  }
}
