package dev.weft.node;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * The relay's answer, the first bytes it writes on a RESERVE or CONNECT session
 * (docs/protocol.md §26): {@code 00}, for a reservation its lifetime, and the address the relay
 * sees the requester at; or a refusal code with a reason, after which the relay closes
 * the session.
 *
 * @param lifetimeSeconds RESERVE accepted: how long the reservation lasts; otherwise 0
 * @param observed accepted: the requester's address as the relay sees it, if the relay knows it
 */
record RelayReply(Code code, long lifetimeSeconds, String reason, Optional<InetSocketAddress> observed) {
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

  static RelayReply reserved(long lifetimeSeconds, Optional<InetSocketAddress> observed) {
    return new RelayReply(Code.OK, lifetimeSeconds, "", observed);
  }

  static RelayReply connected(Optional<InetSocketAddress> observed) {
    return new RelayReply(Code.OK, 0, "", observed);
  }

  static RelayReply refused(Code code, String reason) {
    return new RelayReply(code, 0, reason, Optional.empty());
  }

  boolean ok() {
    return code == Code.OK;
  }

  /** {@code reserve}: whether this answers a RESERVE (an OK then carries the lifetime). */
  ByteBuf encode(boolean reserve) {
    if (ok()) {
      ByteBuf out = Unpooled.buffer(reserve ? 24 : 20).writeByte(0);
      if (reserve) {
        out.writeInt((int) lifetimeSeconds);
      }
      AddressBytes.write(out, observed);
      return out;
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
      return decodeOk(in, reserve);
    }
    if (in.readableBytes() < 2 || in.readableBytes() < 2 + in.getUnsignedByte(in.readerIndex() + 1)) {
      return Optional.empty();
    }
    in.skipBytes(1);
    int length = in.readUnsignedByte();
    String reason = in.readCharSequence(length, StandardCharsets.UTF_8).toString();
    return Optional.of(refused(code, reason));
  }

  /** {@code 00 || lifetime u32 (RESERVE only) || alen u8 || address (alen: 0, 4 or 16) || port u16}. */
  private static Optional<RelayReply> decodeOk(ByteBuf in, boolean reserve) {
    int head = reserve ? 5 : 1;
    if (in.readableBytes() < head + 1) {
      return Optional.empty();
    }
    int length = AddressBytes.length(in, head);
    if (in.readableBytes() < head + length) {
      return Optional.empty();
    }
    in.skipBytes(1);
    long lifetime = reserve ? in.readUnsignedInt() : 0;
    Optional<InetSocketAddress> observed = AddressBytes.read(in);
    return Optional.of(reserve ? reserved(lifetime, observed) : connected(observed));
  }
}
