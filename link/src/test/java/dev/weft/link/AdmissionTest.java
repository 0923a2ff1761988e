package dev.weft.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Connections refused before any handshake work: the pending-handshake cap and the per-source rate. */
@Timeout(30)
class AdmissionTest {
  @RegisterExtension
  final LinkTestResources resources = new LinkTestResources();
  private final Peer client = resources.client;

  @Test
  void handshakesBeyondThePendingCapAreClosedAtOnce() throws Exception {
    Peer server = resources.track(new Peer(b -> b.maxPendingHandshakes(2).handshakeRate(100, 100)));
    Listener listener = LinkTest.listen(server, Transport.TCP);
    Socket first = resources.track(stalled(listener));
    Socket second = resources.track(stalled(listener));
    await(() -> server.linker.pendingHandshakes() == 2, "two stalled handshakes pending");

    Socket third = resources.track(stalled(listener));
    assertEquals(-1, read(third), "the connection beyond the cap is closed unanswered");
    HandshakeException refused = server.nextFailure();
    assertTrue(refused.getMessage().contains("too many handshakes in progress (2)"));
    assertEquals(HandshakeOutcome.NOT_ADMITTED, refused.outcome());
    assertEquals(2, server.linker.pendingHandshakes());

    first.close();
    second.close();
    await(() -> server.linker.pendingHandshakes() == 0, "stalled handshakes released on close");
    LinkTest.dial(client, listener, server);
  }

  @Test
  void aTcpSourceOverItsRateIsRefusedWhileAnotherSourceGetsIn() throws Exception {
    Peer server = resources.track(new Peer(b -> b.handshakeRate(1, 3)));
    Listener v4 = LinkTest.listen(server, Transport.TCP);
    Listener v6 = server.linker.listen(Endpoint.parse("tcp:[::1]:0")).get(Peer.WAIT_SECONDS, TimeUnit.SECONDS);
    for (int i = 0; i < 3; i++) {
      resources.track(stalled(v4));
    }
    Socket over = resources.track(stalled(v4));
    assertEquals(-1, read(over), "the fourth connection within a second is closed unanswered");
    String why = server.nextFailure().getMessage();
    assertTrue(why.contains("handshake rate limit reached for 127.0.0.1 (1/s, burst 3)"), why);
    assertEquals(1, server.linker.throttledSources());
    LinkTest.dial(client, v6, server);
  }

  @Test
  void aKcpSourceOverItsRateIsAskedForACookieWhateverItsPorts() throws Exception {
    Peer server = resources.track(new Peer(b -> b.handshakeRate(1, 3)));
    Listener listener = LinkTest.listen(server, Transport.KCP);
    int replies = 0;
    for (int i = 0; i < 5; i++) {
      DatagramSocket socket = resources.track(new DatagramSocket(new InetSocketAddress("127.0.0.1", 0)));
      byte[] segment = HostileInputTest.kcpPush(2000 + i, new byte[] {'w', 'e', 'f'});
      socket.send(new DatagramPacket(segment, segment.length, listener.localAddress()));
      socket.setSoTimeout(2000);
      DatagramPacket reply = new DatagramPacket(new byte[64], 64);
      if (i >= 3) {
        socket.receive(reply);
        assertEquals(25, reply.getLength(), "a cookie reply, not a conversation");
        replies++;
      }
    }
    assertEquals(2, replies, "two of five new sources on one address exceed a burst of 3");
    await(() -> server.linker.pendingHandshakes() == 3, "three handshakes, one per token");
    assertEquals(1, server.linker.throttledSources());
  }

  private static Socket stalled(Listener listener) throws Exception {
    Socket socket = new Socket();
    socket.connect(listener.localAddress(), 5000);
    socket.setSoTimeout(5000);
    return socket;
  }

  private static int read(Socket socket) throws Exception {
    InputStream in = socket.getInputStream();
    return in.read();
  }


  /** Polls a condition the network settles asynchronously, failing after a bound. */
  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Peer.WAIT_SECONDS * 1_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      LockSupport.parkNanos(5_000_000);
    }
  }
}
