package dev.weft.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The KCP listener's cookie exchange over real sockets (docs/protocol.md §2.3). */
@Timeout(60)
class KcpCookieTest {
  @RegisterExtension
  final LinkTestResources resources = new LinkTestResources();
  private final Peer client = resources.client;

  @Test
  void aDialerThatMustShowACookieLinksAfterOneReply() throws Exception {
    Peer server = resources.track(new Peer(b -> b.cookieThreshold(0)));
    LinkTest.LinkedPair link = LinkTest.connect(client, server, Transport.KCP);
    link.dialled().channel().writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
    assertArrayEquals(new byte[] {1, 2, 3},
        Peer.received(link.accepted()).first(3).get(Peer.WAIT_SECONDS, TimeUnit.SECONDS));
    CookieStats stats = server.linker.cookieStats();
    assertEquals(1, stats.verified(), stats.toString());
    assertTrue(stats.replies() >= 1, stats.toString());
    assertEquals(0, server.linker.pendingHandshakes());
  }

  @Test
  void newSourcesUnderLoadGetARepliedCookieAndCostNoHandshake() throws Exception {
    Peer server = resources.track(new Peer(b -> b.cookieThreshold(2)));
    Listener listener = LinkTest.listen(server, Transport.KCP);
    List<DatagramSocket> sources = new ArrayList<>();
    int replies = 0;
    for (int i = 0; i < 20; i++) {
      DatagramSocket socket = resources.track(new DatagramSocket(new InetSocketAddress("127.0.0.2", 0)));
      sources.add(socket);
      byte[] segment = HostileInputTest.kcpPush(3000 + i, new byte[] {'w', 'e', 'f', 't', 0, 1});
      socket.send(new DatagramPacket(segment, segment.length, listener.localAddress()));
      byte[] reply = receive(socket);
      if (reply.length >= 4 && reply[0] == 0 && reply[1] == 0 && reply[2] == 0 && reply[3] == 0) {
        replies++;
        assertEquals(CookieDatagram.REPLY_LENGTH, reply.length);
        ByteBuffer in = ByteBuffer.wrap(reply).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0, in.getInt());
        assertEquals(CookieDatagram.REPLY, in.get());
        assertEquals(3000 + i, in.getInt(), "the reply names the conv it answers");
      }
    }
    // 2 a second: the sends may straddle a second's boundary, so 2 or 4 got through.
    assertTrue(replies >= 16, replies + " replies: beyond 2 new sources a second, each is asked for a cookie");
    CookieStats stats = server.linker.cookieStats();
    assertEquals(20, stats.unverified());
    assertEquals(replies, stats.replies());
    assertEquals(20 - replies, server.linker.pendingHandshakes(), "only the sources let in cost a handshake");
    assertTrue(stats.replyBytes() <= stats.answeredBytes(), stats.toString());
    LinkTest.dial(client, listener, server);
    assertEquals(1, server.linker.cookieStats().verified(), "the real dialer came in with a cookie");
  }

  @Test
  void anEchoWithAnotherSourcesCookieIsAnsweredWithAFreshCookieAndNothingElse() throws Exception {
    Peer server = resources.track(new Peer(b -> b.cookieThreshold(0)));
    Listener listener = LinkTest.listen(server, Transport.KCP);
    DatagramSocket owner = resources.track(new DatagramSocket(new InetSocketAddress("127.0.0.2", 0)));
    DatagramSocket thief = resources.track(new DatagramSocket(new InetSocketAddress("127.0.0.2", 0)));
    byte[] segment = HostileInputTest.kcpPush(77, new byte[] {'w', 'e', 'f', 't', 0, 1});
    owner.send(new DatagramPacket(segment, segment.length, listener.localAddress()));
    byte[] cookie = Arrays.copyOfRange(receive(owner), 9, 25);

    ByteBuffer echo = ByteBuffer.allocate(CookieDatagram.ECHO_PREFIX + segment.length)
        .putInt(0).put(CookieDatagram.ECHO).put(cookie).put(segment);
    thief.send(new DatagramPacket(echo.array(), echo.capacity(), listener.localAddress()));
    byte[] reply = receive(thief);
    assertEquals(CookieDatagram.REPLY_LENGTH, reply.length, "a stolen cookie gets only a cookie of its own");
    CookieStats stats = server.linker.cookieStats();
    assertEquals(0, stats.verified(), stats.toString());
    assertEquals(0, server.linker.pendingHandshakes());

    owner.send(new DatagramPacket(echo.array(), echo.capacity(), listener.localAddress()));
    AdmissionTest.await(() -> server.linker.pendingHandshakes() == 1, "the owner's echo starts a handshake");
    assertEquals(1, server.linker.cookieStats().verified());
  }

  private static byte[] receive(DatagramSocket socket) throws Exception {
    socket.setSoTimeout(500);
    DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
    try {
      socket.receive(packet);
    } catch (SocketTimeoutException nothing) {
      return new byte[0];
    }
    return Arrays.copyOf(packet.getData(), packet.getLength());
  }
}
