package dev.weft.node;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The messages of a {@value #SERVICE} session (docs/protocol.md §29), each self-delimiting:
 *
 * <pre>
 * CANDIDATES = 01 || nonce (16) || nl u8 || nl addresses || nd u8 || nd addresses
 * SYNC       = 02 || attempt u8
 * RESULT     = 03 || attempt u8 || outcome u8      (0: a direct stream is up, 1: failed)
 * </pre>
 *
 * An address is {@link AddressBytes}' {@code alen || ip || port}, here never empty and never port 0.
 */
sealed interface PunchMessage {
  /** The service hole punching runs on; every node exposes it. */
  String SERVICE = "weft.punch";
  /** Candidates in each list, at most: what a peer can make the other probe or dial. */
  int MAX_CANDIDATES = 8;
  /** Attempts of one punch session, at most. */
  int MAX_ATTEMPTS = 3;
  int NONCE_LENGTH = 16;
  /** The longest message: CANDIDATES with two full lists of IPv6 addresses. */
  int MAX_LENGTH = 1 + NONCE_LENGTH + 2 * (1 + MAX_CANDIDATES * 19);

  ByteBuf encode();

  /**
   * This side's candidates: where its KCP listener may be reached from outside (empty: it has
   * none), and where the UDP port it would dial from may be. {@code nonce} is echoed in the probes
   * the other side sends.
   */
  record Candidates(byte[] nonce, List<InetSocketAddress> listen, List<InetSocketAddress> dial) implements PunchMessage {
    public Candidates {
      if (nonce.length != NONCE_LENGTH) {
        throw new IllegalArgumentException("a nonce of " + nonce.length + " bytes");
      }
      listen = checked(listen, "listen");
      dial = checked(dial, "dial");
    }

    private static List<InetSocketAddress> checked(List<InetSocketAddress> list, String which) {
      if (list.size() > MAX_CANDIDATES) {
        throw new IllegalArgumentException(list.size() + " " + which + " candidates (at most " + MAX_CANDIDATES + ")");
      }
      for (InetSocketAddress a : list) {
        if (a.getAddress() == null || a.getPort() == 0) {
          throw new IllegalArgumentException("candidate " + a + " has no address or port");
        }
      }
      return List.copyOf(list);
    }

    @Override
    public ByteBuf encode() {
      ByteBuf out = Unpooled.buffer(MAX_LENGTH).writeByte(1).writeBytes(nonce);
      for (List<InetSocketAddress> list : List.of(listen, dial)) {
        out.writeByte(list.size());
        list.forEach(a -> AddressBytes.write(out, Optional.of(a)));
      }
      return out;
    }
  }

  /** The initiator starts attempt {@code attempt} (1, 2, ... in turn): both sides act now. */
  record Sync(int attempt) implements PunchMessage {
    @Override
    public ByteBuf encode() {
      return Unpooled.buffer(2).writeByte(2).writeByte(attempt);
    }
  }

  /** The dialling side's outcome of attempt {@code attempt}. */
  record Result(int attempt, boolean direct) implements PunchMessage {
    @Override
    public ByteBuf encode() {
      return Unpooled.buffer(3).writeByte(3).writeByte(attempt).writeByte(direct ? 0 : 1);
    }
  }

  /**
   * Reads one message from the start of {@code in}: empty while more bytes are needed; throws
   * {@link IllegalArgumentException} for an unknown type or a malformed or oversized message.
   */
  static Optional<PunchMessage> decode(ByteBuf in) {
    if (!in.isReadable()) {
      return Optional.empty();
    }
    int type = in.getUnsignedByte(in.readerIndex());
    return switch (type) {
      case 1 -> decodeCandidates(in);
      case 2 -> in.readableBytes() < 2 ? Optional.empty()
          : Optional.of(new Sync(in.skipBytes(1).readUnsignedByte()));
      case 3 -> {
        if (in.readableBytes() < 3) {
          yield Optional.empty();
        }
        int attempt = in.skipBytes(1).readUnsignedByte();
        int outcome = in.readUnsignedByte();
        if (outcome > 1) {
          throw new IllegalArgumentException("unknown outcome " + outcome);
        }
        yield Optional.of(new Result(attempt, outcome == 0));
      }
      default -> throw new IllegalArgumentException("unknown punch message " + type);
    };
  }

  private static Optional<PunchMessage> decodeCandidates(ByteBuf in) {
    // Measure both lists before consuming anything, so an incomplete message is left as it is.
    int offset = 1 + NONCE_LENGTH;
    int[] counts = new int[2];
    for (int list = 0; list < 2; list++) {
      if (in.readableBytes() <= offset) {
        return Optional.empty();
      }
      counts[list] = in.getUnsignedByte(in.readerIndex() + offset);
      if (counts[list] > MAX_CANDIDATES) {
        throw new IllegalArgumentException(counts[list] + " candidates (at most " + MAX_CANDIDATES + ")");
      }
      offset++;
      for (int i = 0; i < counts[list]; i++) {
        int length = AddressBytes.length(in, offset);
        if (length < 0) {
          return Optional.empty();
        }
        offset += length;
      }
    }
    if (in.readableBytes() < offset) {
      return Optional.empty();
    }
    byte[] nonce = new byte[NONCE_LENGTH];
    in.skipBytes(1).readBytes(nonce);
    List<List<InetSocketAddress>> lists = new ArrayList<>();
    for (int count : counts) {
      in.skipBytes(1);
      List<InetSocketAddress> list = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        list.add(AddressBytes.read(in).orElseThrow(() -> new IllegalArgumentException("an empty candidate")));
      }
      lists.add(list);
    }
    return Optional.of(new Candidates(nonce, lists.get(0), lists.get(1)));
  }
}
