package dev.weft.link;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The two datagrams of KCP's return-routability check (docs/protocol.md §2.3), told apart from KCP
 * by their first four bytes: a KCP segment starts with its {@code conv}, which is never 0, and
 * these start with four zero bytes.
 *
 * <pre>
 * reply = 00 00 00 00 || 01 || conv u32 LE || cookie (16)        listener to dialer, 25 bytes
 * echo  = 00 00 00 00 || 02 || cookie (16) || KCP datagram        dialer to listener
 * </pre>
 */
final class CookieDatagram {
  static final int MARKER = 4;
  static final byte REPLY = 1;
  static final byte ECHO = 2;
  static final int REPLY_LENGTH = MARKER + 1 + 4 + HandshakeCookie.LENGTH;
  static final int ECHO_PREFIX = MARKER + 1 + HandshakeCookie.LENGTH;
  /** A KCP segment header: the least a KCP datagram can be. */
  static final int KCP_HEADER = 24;

  /** What a received datagram is. */
  enum Kind {
    /** KCP segments, to be given to KCP as they are. */
    KCP,
    /** A cookie reply: the conv it answers at offset 5, the cookie at offset 9. */
    REPLY,
    /** A cookie echo: the cookie at offset 5, the KCP datagram from offset {@link #ECHO_PREFIX}. */
    ECHO,
    /** Neither: too short for a KCP header, or four zero bytes followed by no valid layout. */
    INVALID
  }

  private CookieDatagram() {}

  /** Classifies the readable bytes of {@code datagram} without consuming them. */
  static Kind classify(ByteBuf datagram) {
    int length = datagram.readableBytes();
    int start = datagram.readerIndex();
    if (length < KCP_HEADER) {
      return Kind.INVALID;
    }
    if (datagram.getIntLE(start) != 0) {
      return Kind.KCP;
    }
    byte type = datagram.getByte(start + MARKER);
    if (type == REPLY && length == REPLY_LENGTH) {
      return Kind.REPLY;
    }
    if (type == ECHO && length >= ECHO_PREFIX + KCP_HEADER && datagram.getIntLE(start + ECHO_PREFIX) != 0) {
      return Kind.ECHO;
    }
    return Kind.INVALID;
  }

  /** The conv of a KCP datagram, or the conv a reply answers. */
  static int conv(ByteBuf datagram, Kind kind) {
    return datagram.getIntLE(datagram.readerIndex() + (kind == Kind.REPLY ? MARKER + 1 : 0));
  }

  /** The reply carrying {@code cookie} to a datagram of conversation {@code conv}. */
  static ByteBuf reply(ByteBufAllocator alloc, int conv, byte[] cookie) {
    return alloc.buffer(REPLY_LENGTH).writeInt(0).writeByte(REPLY).writeIntLE(conv).writeBytes(cookie);
  }

  /** {@code datagram} prefixed with an echo of {@code cookie}; takes over {@code datagram}. */
  static ByteBuf echo(ByteBufAllocator alloc, byte[] cookie, ByteBuf datagram) {
    ByteBuf prefix = alloc.buffer(ECHO_PREFIX).writeInt(0).writeByte(ECHO).writeBytes(cookie);
    return alloc.compositeBuffer(2).addComponents(true, prefix, datagram);
  }
}
