package dev.weft.link;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class CookieDatagramTest {
  private static final byte[] COOKIE = ByteBufUtil.decodeHexDump("000102030405060708090a0b0c0d0e0f");
  private static final byte[] SEGMENT = HostileInputTest.kcpPush(0x11223344, new byte[] {'w', 'e', 'f'});

  @Test
  void aReplyIsTwentyFiveBytesNamingTheConvItAnswers() {
    ByteBuf reply = CookieDatagram.reply(ByteBufAllocator.DEFAULT, 0x11223344, COOKIE);
    assertEquals("00000000" + "01" + "44332211" + "000102030405060708090a0b0c0d0e0f", ByteBufUtil.hexDump(reply));
    assertEquals(CookieDatagram.Kind.REPLY, CookieDatagram.classify(reply));
    assertEquals(0x11223344, CookieDatagram.conv(reply, CookieDatagram.Kind.REPLY));
    reply.release();
  }

  @Test
  void anEchoIsTheCookieInFrontOfTheKcpDatagram() {
    ByteBuf echo = CookieDatagram.echo(ByteBufAllocator.DEFAULT, COOKIE, Unpooled.wrappedBuffer(SEGMENT));
    assertEquals("00000000" + "02" + "000102030405060708090a0b0c0d0e0f" + ByteBufUtil.hexDump(SEGMENT),
        ByteBufUtil.hexDump(echo));
    assertEquals(CookieDatagram.Kind.ECHO, CookieDatagram.classify(echo));
    echo.release();
  }

  @Test
  void kcpSegmentsAreKcp() {
    assertEquals(CookieDatagram.Kind.KCP, kind(SEGMENT));
    assertEquals(0x11223344, CookieDatagram.conv(Unpooled.wrappedBuffer(SEGMENT), CookieDatagram.Kind.KCP));
    byte[] header = new byte[24];
    header[0] = 1;
    assertEquals(CookieDatagram.Kind.KCP, kind(header), "a bare header with a non-zero conv");
  }

  @Test
  void everythingElseIsInvalid() {
    assertEquals(CookieDatagram.Kind.INVALID, kind(new byte[0]));
    assertEquals(CookieDatagram.Kind.INVALID, kind(new byte[] {1, 2, 3, 4, 5}), "shorter than a KCP header");
    assertEquals(CookieDatagram.Kind.INVALID, kind(new byte[40]), "a zero conv with no type");
    assertEquals(CookieDatagram.Kind.INVALID, kind(withType(3, 60)), "an unknown type");
    assertEquals(CookieDatagram.Kind.INVALID, kind(withType(1, 26)), "a reply of the wrong length");
    assertEquals(CookieDatagram.Kind.INVALID, kind(withType(2, 44)), "an echo with less than a KCP header");
    assertEquals(CookieDatagram.Kind.INVALID, kind(withType(2, 60)), "an echo around a zero conv");
  }

  private static byte[] withType(int type, int length) {
    byte[] bytes = new byte[length];
    bytes[4] = (byte) type;
    return bytes;
  }

  private static CookieDatagram.Kind kind(byte[] bytes) {
    return CookieDatagram.classify(Unpooled.wrappedBuffer(bytes));
  }
}
