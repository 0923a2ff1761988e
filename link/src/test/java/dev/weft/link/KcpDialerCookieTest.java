package dev.weft.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.weft.identity.NodeKey;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A dialer facing a hand-driven listener socket: which cookie replies it takes and what it echoes. */
@Timeout(30)
class KcpDialerCookieTest {
  private static final byte[] COOKIE = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};

  private final Peer client = new Peer();
  private final DatagramSocket listener = open();

  @AfterEach
  void close() {
    client.close();
    listener.close();
  }

  @Test
  void theDialerEchoesARightReplyAtOnceIgnoresTheRestAndStopsOnceKcpArrives() throws Exception {
    CompletableFuture<Stream> dial = client.linker.dial(
        new Endpoint(Transport.KCP, "127.0.0.1", listener.getLocalPort()), NodeKey.generate().identity());
    DatagramPacket firstPacket = receive();
    byte[] first = Arrays.copyOf(firstPacket.getData(), firstPacket.getLength());
    SocketAddress dialer = firstPacket.getSocketAddress();
    int conv = ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN).getInt();

    send(dialer, reply(conv + 2, new byte[16]));
    send(dialer, new byte[] {0, 0, 0, 0, 7, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20});
    send(dialer, reply(conv, COOKIE));
    byte[] echo = nextStartingWithZero();
    assertArrayEquals(prefix(), Arrays.copyOf(echo, CookieDatagram.ECHO_PREFIX), "the cookie of the right reply");
    assertArrayEquals(first, Arrays.copyOfRange(echo, CookieDatagram.ECHO_PREFIX, echo.length),
        "around the first datagram, unchanged");
    assertFalse(dial.isDone(), "neither the junk nor the wrong reply ended the dial");

    send(dialer, HostileInputTest.kcpPush(conv, new byte[] {'w', 'e', 'f', 't', 0, 1}));
    // An echo already on its way may come first; then the ACK of that push, plain (or a 5 s timeout).
    byte[] after;
    do {
      after = receive().getData();
    } while (ByteBuffer.wrap(after).getInt() == 0);
    assertEquals(conv, ByteBuffer.wrap(after).order(ByteOrder.LITTLE_ENDIAN).getInt(),
        "once the listener answered with KCP the dialer sends plain KCP");
  }

  private static byte[] reply(int conv, byte[] cookie) {
    return ByteBuffer.allocate(CookieDatagram.REPLY_LENGTH).order(ByteOrder.LITTLE_ENDIAN)
        .putInt(0).put(CookieDatagram.REPLY).putInt(conv).put(cookie).array();
  }

  private static byte[] prefix() {
    return ByteBuffer.allocate(CookieDatagram.ECHO_PREFIX).putInt(0).put(CookieDatagram.ECHO).put(COOKIE).array();
  }

  /** Skips the dialer's plain retransmissions up to its first echo. */
  private byte[] nextStartingWithZero() throws Exception {
    while (true) {
      DatagramPacket packet = receive();
      byte[] bytes = Arrays.copyOf(packet.getData(), packet.getLength());
      if (ByteBuffer.wrap(bytes).getInt() == 0) {
        return bytes;
      }
    }
  }

  private DatagramPacket receive() throws Exception {
    DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
    listener.receive(packet);
    return packet;
  }

  private void send(SocketAddress to, byte[] bytes) throws Exception {
    listener.send(new DatagramPacket(bytes, bytes.length, to));
  }

  private static DatagramSocket open() {
    try {
      DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
      socket.setSoTimeout(5000);
      return socket;
    } catch (java.net.SocketException e) {
      throw new IllegalStateException(e);
    }
  }
}
