package dev.weft.node;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * The relay's answer, the first bytes it writes on a RESERVE or CONNECT session
 * (docs/protocol.md §4.2): {@code 00} and, for a reservation, its lifetime; or a refusal code with
 * a reason, after which the relay closes the session.
 *
 * @param lifetimeSeconds RESERVE accepted: how long the reservation lasts; otherwise 0
 */
record RelayReply(Code code, long lifetimeSeconds, String reason) {
  /** The longest reason on the wire, in bytes of UTF-8. */
  static final int MAX_REASON = 255;

  /** Outcomes with their wire codes. */
  enum Code {
    OK(0),
    /** The node does not relay (it was not started with --relay). */
    NOT_A_RELAY(1),
    /** The relay's access list does not let this peer reserve. */
    ACCESS_DENIED(2),
    /** The relay holds as many reservations as it may. */
    RESERVATIONS_FULL(3),
    /** The peer asked for has no live reservation here. */
    NO_RESERVATION(4),
    /** Relayed streams per peer or in total are at their limit. */
    STREAMS_FULL(5),
    /** The reserving peer did not take the relayed stream. */
    PEER_UNREACHABLE(6),
    /** The request was not one this relay understands. */
    MALFORMED(7);

    final int code;

    Code(int code) {
      this.code = code;
    }

    static Optional<Code> of(int code) {
      return Arrays.stream(values()).filter(c -> c.code == code).findFirst();
    }
  }

  static RelayReply reserved(long lifetimeSeconds) {
    return new RelayReply(Code.OK, lifetimeSeconds, "");
  }

  static RelayReply connected() {
    return new RelayReply(Code.OK, 0, "");
  }

  static RelayReply refused(Code code, String reason) {
    return new RelayReply(code, 0, reason);
  }

  boolean ok() {
    return code == Code.OK;
  }

  /** {@code reserve}: whether this answers a RESERVE (an OK then carries the lifetime). */
  ByteBuf encode(boolean reserve) {
    if (ok()) {
      ByteBuf out = Unpooled.buffer(reserve ? 5 : 1).writeByte(0);
      return reserve ? out.writeInt((int) lifetimeSeconds) : out;
    }
    byte[] text = reason.getBytes(StandardCharsets.UTF_8);
    int length = Math.min(text.length, MAX_REASON);
    return Unpooled.buffer(2 + length).writeByte(code.code).writeByte(length).writeBytes(text, 0, length);
  }

  /**
   * Reads a reply from the start of {@code in}: empty while more bytes are needed; throws
   * {@link IllegalArgumentException} for an unknown code.
   */
  static Optional<RelayReply> decode(ByteBuf in, boolean reserve) {
    if (!in.isReadable()) {
      return Optional.empty();
    }
    int first = in.getUnsignedByte(in.readerIndex());
    Code code = Code.of(first).orElseThrow(() -> new IllegalArgumentException("unknown relay reply code " + first));
    if (code == Code.OK) {
      if (in.readableBytes() < (reserve ? 5 : 1)) {
        return Optional.empty();
      }
      in.skipBytes(1);
      return Optional.of(reserve ? reserved(in.readUnsignedInt()) : connected());
    }
    if (in.readableBytes() < 2 || in.readableBytes() < 2 + in.getUnsignedByte(in.readerIndex() + 1)) {
      return Optional.empty();
    }
    in.skipBytes(1);
    int length = in.readUnsignedByte();
    String reason = in.readCharSequence(length, StandardCharsets.UTF_8).toString();
    return Optional.of(refused(code, reason));
  }
}
