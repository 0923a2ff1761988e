package dev.weft.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.identity.Identity;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The weft.relay requests and replies byte by byte, as docs/protocol.md §26 writes them. */
@Timeout(10)
class RelayWireTest {
  private static final Identity PEER = Identity.parse("6d1e1e5f" + "00".repeat(28));

  private static byte[] bytes(ByteBuf buf) {
    byte[] out = ByteBufUtil.getBytes(buf);
    buf.release();
    return out;
  }

  @Test
  void requestsAreTheirCodeAndIdentity() {
    assertArrayEquals(new byte[] {1}, RelayRequest.reserve().encode());
    byte[] connect = new RelayRequest(RelayRequest.Kind.CONNECT, PEER).encode();
    assertEquals("02" + PEER, HexFormat.of().formatHex(connect));
    assertEquals(new RelayRequest(RelayRequest.Kind.CONNECT, PEER), RelayRequest.decode(connect));
    assertEquals(RelayRequest.reserve(), RelayRequest.decode(new byte[] {1}));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> RelayRequest.decode(new byte[] {9}))
        .getMessage().contains("unknown relay request 9"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> RelayRequest.decode(new byte[] {2, 0}))
        .getMessage().contains("CONNECT request of 2 bytes, not 33"));
  }

  @Test
  void repliesAreAsTheProtocolWritesThem() {
    // Seen at 203.0.113.7:40000 (the example of §26), and not seen at all.
    RelayReply seen = RelayReply.reserved(3600, Optional.of(new InetSocketAddress("203.0.113.7", 40000)));
    String reserved = "00 00 00 0e 10 04 cb 00 71 07 9c 40";
    assertEquals(reserved.replace(" ", ""), HexFormat.of().formatHex(bytes(seen.encode(true))));
    assertEquals(Optional.of(seen), RelayReply.decode(Unpooled.wrappedBuffer(HexFormat.of().parseHex(
        reserved.replace(" ", ""))), true));
    assertEquals("0000000e10000000",
        HexFormat.of().formatHex(bytes(RelayReply.reserved(3600, Optional.empty()).encode(true))));
    RelayReply seen6 = RelayReply.reserved(60, Optional.of(new InetSocketAddress("2001:db8::1", 1)));
    assertEquals("000000003c1020010db80000000000000000000000010001",
        HexFormat.of().formatHex(bytes(seen6.encode(true))));
    RelayReply connected = RelayReply.connected(seen.observed());
    assertEquals("0004cb0071079c40", HexFormat.of().formatHex(bytes(connected.encode(false))));
    assertEquals(Optional.of(connected), RelayReply.decode(Unpooled.wrappedBuffer(HexFormat.of().parseHex(
        "0004cb0071079c40")), false));
    assertEquals("00000000", HexFormat.of().formatHex(bytes(RelayReply.connected(Optional.empty()).encode(false))));
    RelayReply refusal = RelayReply.refused(RelayReply.Code.NO_RESERVATION, PEER.shortText() + " has no reservation here");
    String example = "04 20 36 64 31 65 31 65 35 66 20 68 61 73 20 6e 6f 20 72 65 73 65 72 76 61 74 69 6f 6e 20 68 65 72 65";
    assertEquals(example.replace(" ", ""), HexFormat.of().formatHex(bytes(refusal.encode(false))));
    assertEquals(Optional.of(refusal), RelayReply.decode(Unpooled.wrappedBuffer(HexFormat.of().parseHex(
        example.replace(" ", ""))), false));
  }

  @Test
  void aReplyIsReadOnlyOnceComplete() {
    assertEquals(Optional.empty(), RelayReply.decode(Unpooled.wrappedBuffer(new byte[] {0, 0, 0}), true));
    assertEquals(Optional.empty(), RelayReply.decode(Unpooled.wrappedBuffer(new byte[] {4, 5, 'a'}), false));
    assertEquals(Optional.empty(), RelayReply.decode(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 0, 1}), true));
    assertEquals(Optional.empty(), RelayReply.decode(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 0, 1, 4, 1, 2}), true));
    assertEquals(Optional.of(RelayReply.reserved(1, Optional.empty())),
        RelayReply.decode(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 0, 1, 0, 0, 0}), true));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> RelayReply.decode(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 0, 1, 5}), true)).getMessage()
        .contains("5 bytes"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> RelayReply.decode(Unpooled.wrappedBuffer(new byte[] {99}), false)).getMessage().contains("99"));
  }
}
