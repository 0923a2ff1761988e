package dev.weft.link;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import java.util.List;

/**
 * Splits the byte stream into Noise messages, each preceded by a 2-byte big-endian length.
 *
 * <p>The allowed length range is tightened during the handshake so that an oversized length is
 * refused as soon as its two bytes arrive, not after buffering up to 64 KiB.
 */
final class FrameDecoder extends ByteToMessageDecoder {
  private int minLength;
  private int maxLength;
  private boolean failed;

  FrameDecoder(int minLength, int maxLength) {
    limits(minLength, maxLength);
  }

  void limits(int minLength, int maxLength) {
    this.minLength = minLength;
    this.maxLength = maxLength;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (in.readableBytes() < 2) {
      return;
    }
    int length = in.getUnsignedShort(in.readerIndex());
    if (length < minLength || length > maxLength) {
      failed = true;
      in.skipBytes(in.readableBytes());
      throw new CorruptedFrameException("message length " + length + " outside " + minLength + "-" + maxLength);
    }
    if (in.readableBytes() < 2 + length) {
      return;
    }
    in.skipBytes(2);
    out.add(in.readRetainedSlice(length));
  }
}
