package dev.weft.link;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.util.ReferenceCountUtil;

/**
 * Splits the byte stream into Noise messages, each preceded by a 2-byte big-endian length, and
 * hands each on as a heap buffer of exactly its length.
 *
 * <p>Bytes are copied once, from the transport's buffer into the message's own array, where the
 * cipher then works in place: a cumulating decoder would copy a message that spans two reads
 * (most do: a full message is 64 KiB, one read at most that) and the cipher would copy it again.
 * The allowed length range is tightened during the handshake so that an oversized length is
 * refused as soon as its two bytes arrive, not after buffering up to 64 KiB.
 */
final class MessageDecoder extends ChannelInboundHandlerAdapter {
  private int minLength;
  private int maxLength;
  private boolean failed;
  /** The first byte of a length prefix that ended a read, or -1. */
  private int lengthHigh = -1;
  /** The message being filled, allocated at its full length; null between messages. */
  private ByteBuf message;

  MessageDecoder(int minLength, int maxLength) {
    limits(minLength, maxLength);
  }

  void limits(int minLength, int maxLength) {
    this.minLength = minLength;
    this.maxLength = maxLength;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf in)) {
      ctx.fireChannelRead(msg);
      return;
    }
    try {
      while (in.isReadable() && !failed) {
        if (message == null && !start(ctx, in)) {
          return;
        }
        message.writeBytes(in, Math.min(message.writableBytes(), in.readableBytes()));
        if (!message.isWritable()) {
          ByteBuf whole = message;
          message = null;
          ctx.fireChannelRead(whole);
        }
      }
    } finally {
      in.release();
    }
  }

  /** Reads a length prefix and allocates its message; false if the prefix is not complete yet. */
  private boolean start(ChannelHandlerContext ctx, ByteBuf in) {
    int high = lengthHigh >= 0 ? lengthHigh : in.readUnsignedByte();
    if (!in.isReadable()) {
      lengthHigh = high;
      return false;
    }
    lengthHigh = -1;
    int length = high << 8 | in.readUnsignedByte();
    if (length < minLength || length > maxLength) {
      failed = true;
      in.skipBytes(in.readableBytes());
      ctx.fireExceptionCaught(new CorruptedFrameException(
          "message length " + length + " outside " + minLength + "-" + maxLength));
      return false;
    }
    message = ctx.alloc().heapBuffer(length, length);
    return true;
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    ReferenceCountUtil.release(message);
    message = null;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    ReferenceCountUtil.release(message);
    message = null;
    ctx.fireChannelInactive();
  }
}
