package dev.weft.node;

import java.nio.ByteBuffer;

/**
 * A hole-punching probe (docs/protocol.md §30): a datagram the KCP listener's side sends from its
 * listener socket to the other side's dial candidates, only so that its own NAT lets the other
 * side's KCP datagrams in. Every receiver drops it unread: it starts with four zero bytes and its
 * fifth byte is no cookie type (§2.3), so no KCP socket takes it for KCP.
 *
 * <pre>00 00 00 00 || 03 || nonce (16) || attempt u8 || seq u16      24 bytes</pre>
 *
 * @param nonce the nonce the dialling side sent in its CANDIDATES
 */
record PunchProbe(byte[] nonce, int attempt, int seq) {
  static final int LENGTH = 24;
  static final byte TYPE = 3;

  byte[] encode() {
    return ByteBuffer.allocate(LENGTH).putInt(0).put(TYPE).put(nonce).put((byte) attempt).putShort((short) seq)
        .array();
  }
}
