package dev.weft.node;

import dev.weft.identity.Identity;
import java.util.Arrays;
import java.util.Objects;

/**
 * What a session to the {@value #SERVICE} service asks for, carried as the session's arguments
 * (docs/protocol.md §4.1): a reservation, a relayed stream to a reserving peer, or (from a relay to
 * that peer) the announcement of one.
 *
 * @param peer CONNECT: the peer to reach; INCOMING: the peer that asked; RESERVE: null
 */
record RelayRequest(Kind kind, Identity peer) {
  /** The service every node exposes for relaying. */
  static final String SERVICE = "weft.relay";
  private static final int IDENTITY_LENGTH = 32;

  /** The request kinds with their wire codes. */
  enum Kind {
    RESERVE(1), CONNECT(2), INCOMING(3);

    final int code;

    Kind(int code) {
      this.code = code;
    }
  }

  RelayRequest {
    Objects.requireNonNull(kind, "kind");
    if ((kind == Kind.RESERVE) != (peer == null)) {
      throw new IllegalArgumentException(kind + (peer == null ? " names a peer" : " names no peer"));
    }
  }

  static RelayRequest reserve() {
    return new RelayRequest(Kind.RESERVE, null);
  }

  byte[] encode() {
    if (peer == null) {
      return new byte[] {(byte) kind.code};
    }
    byte[] out = new byte[1 + IDENTITY_LENGTH];
    out[0] = (byte) kind.code;
    System.arraycopy(peer.bytes(), 0, out, 1, IDENTITY_LENGTH);
    return out;
  }

  /** Reads the session's arguments; the message says what is wrong. */
  static RelayRequest decode(byte[] args) {
    if (args.length == 0) {
      throw new IllegalArgumentException("empty relay request");
    }
    Kind kind = Arrays.stream(Kind.values()).filter(k -> k.code == args[0]).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown relay request " + (args[0] & 0xff)));
    int expected = kind == Kind.RESERVE ? 1 : 1 + IDENTITY_LENGTH;
    if (args.length != expected) {
      throw new IllegalArgumentException(kind + " request of " + args.length + " bytes, not " + expected);
    }
    return new RelayRequest(kind, kind == Kind.RESERVE ? null
        : Identity.of(Arrays.copyOfRange(args, 1, expected)));
  }
}
