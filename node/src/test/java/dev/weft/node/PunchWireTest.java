package dev.weft.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The weft.punch messages and the probe datagram byte by byte, as docs/protocol.md §29-30 writes them. */
@Timeout(10)
class PunchWireTest {
  private static final byte[] NONCE = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f");
  /** docs/protocol.md §29's example: b's listener at 203.0.113.12:7411, a's dial port 40000 at two addresses. */
  private static final PunchMessage.Candidates EXAMPLE = new PunchMessage.Candidates(NONCE,
      List.of(new InetSocketAddress("203.0.113.12", 7411)),
      List.of(new InetSocketAddress("203.0.113.11", 40000), new InetSocketAddress("192.168.1.2", 40000)));
  private static final String EXAMPLE_HEX = "01" + "000102030405060708090a0b0c0d0e0f"
      + "01" + "04cb00710c1cf3" + "02" + "04cb00710b9c40" + "04c0a801029c40";

  private static String hex(ByteBuf buf) {
    String text = ByteBufUtil.hexDump(buf);
    buf.release();
    return text;
  }

  private static Optional<PunchMessage> decode(String hex) {
    return PunchMessage.decode(Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex)));
  }

  @Test
  void messagesAreTheirTypeAndFields() {
    assertEquals(EXAMPLE_HEX, hex(EXAMPLE.encode()));
    PunchMessage.Candidates back = (PunchMessage.Candidates) decode(EXAMPLE_HEX).orElseThrow();
    assertArrayEquals(NONCE, back.nonce());
    assertEquals(EXAMPLE.listen(), back.listen());
    assertEquals(EXAMPLE.dial(), back.dial());
    assertEquals("0201", hex(new PunchMessage.Sync(1).encode()));
    assertEquals("030100", hex(new PunchMessage.Result(1, true).encode()));
    assertEquals("030301", hex(new PunchMessage.Result(3, false).encode()));
    assertEquals(new PunchMessage.Sync(2), decode("0202").orElseThrow());
    assertEquals(new PunchMessage.Result(2, false), decode("030201").orElseThrow());
  }

  @Test
  void anIncompleteMessageWaitsAndIsLeftUnread() {
    for (int length = 0; length < EXAMPLE_HEX.length() / 2; length++) {
      ByteBuf prefix = Unpooled.wrappedBuffer(HexFormat.of().parseHex(EXAMPLE_HEX.substring(0, 2 * length)));
      assertEquals(Optional.empty(), PunchMessage.decode(prefix), "after " + length + " bytes");
      assertEquals(length, prefix.readableBytes());
    }
    ByteBuf two = Unpooled.wrappedBuffer(HexFormat.of().parseHex("0201" + "030100"));
    assertEquals(new PunchMessage.Sync(1), PunchMessage.decode(two).orElseThrow());
    assertEquals(new PunchMessage.Result(1, true), PunchMessage.decode(two).orElseThrow());
  }

  @Test
  void malformedOrOversizedMessagesAreRefused() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> decode("09"))
        .getMessage().contains("unknown punch message 9"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> decode("030102"))
        .getMessage().contains("unknown outcome 2"));
    String nonce = "00".repeat(16);
    assertTrue(assertThrows(IllegalArgumentException.class, () -> decode("01" + nonce + "00" + "09"))
        .getMessage().contains("9 candidates (at most 8)"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> decode("01" + nonce + "01" + "05"))
        .getMessage().contains("an address of 5 bytes"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> decode("01" + nonce + "01" + "000000" + "00"))
        .getMessage().contains("an empty candidate"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> decode("01" + nonce + "01" + "04cb00710c0000" + "00"))
        .getMessage().contains("no address or port"));
    List<InetSocketAddress> nine = Collections.nCopies(9, new InetSocketAddress("192.0.2.1", 1));
    assertThrows(IllegalArgumentException.class, () -> new PunchMessage.Candidates(NONCE, nine, List.of()));
    // The longest message fits the receive buffer of a punch.
    List<InetSocketAddress> v6 = Collections.nCopies(8, new InetSocketAddress("2001:db8::1", 1));
    assertEquals(PunchMessage.MAX_LENGTH, new PunchMessage.Candidates(NONCE, v6, v6).encode().readableBytes());
  }

  @Test
  void aProbeIs24BytesThatNoKcpSocketTakesForKcp() {
    assertEquals("00000000" + "03" + "000102030405060708090a0b0c0d0e0f" + "01" + "0002",
        HexFormat.of().formatHex(new PunchProbe(NONCE, 1, 2).encode()));
  }
}
