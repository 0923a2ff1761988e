package dev.weft.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A KCP stream rides out a path that loses everything for a while, as a peer starved of CPU or a
 * burst of loss looks to the sender; only the link's idle timeout ends it, as over TCP.
 */
@Timeout(60)
class KcpOutageTest {
  /** One more send of a segment than kcp-netty's default dead-link count, which ended the stream. */
  private static final int SENDS = 21;

  private final Peer server = new Peer(b -> b.idleTimeout(Duration.ofMinutes(2)));
  private final Peer client = new Peer(b -> b.idleTimeout(Duration.ofMinutes(2)));

  @AfterEach
  void close() {
    client.close();
    server.close();
  }

  @Test
  void aStreamOutlivesAnOutageThatOutlastsKcpDeadLinkCount() throws Exception {
    Listener listener = LinkTest.listen(server, Transport.KCP);
    try (CuttablePath path = new CuttablePath(listener.localAddress())) {
      Stream dialled = client.linker.dial(path.endpoint(), server.identity()).get(Peer.WAIT_SECONDS, TimeUnit.SECONDS);
      Stream accepted = server.nextStream();
      // Small writes first, each awaited, as on a link in use: KCP's RTO estimate settles near the
      // loopback RTT (from the handshake alone it can be seconds, and 21 sends take minutes).
      for (int i = 1; i <= 30; i++) {
        dialled.channel().writeAndFlush(Unpooled.wrappedBuffer(new byte[1]));
        Peer.received(accepted).first(i).get(Peer.WAIT_SECONDS, TimeUnit.SECONDS);
      }
      byte[] data = new byte[64 * 1024];
      new Random(5).nextBytes(data);

      // The outage lasts until a segment has been sent 21 times, or 20 s on a machine so busy
      // that KCP's RTO estimate is large (KcpSettingsTest checks the count on a simulated clock).
      CompletableFuture<Void> resent = path.cut(SENDS).completeOnTimeout(null, 20, TimeUnit.SECONDS);
      dialled.channel().writeAndFlush(Unpooled.wrappedBuffer(data));
      CompletableFuture.anyOf(resent, dialled.closeFuture()).get(30, TimeUnit.SECONDS);
      assertFalse(dialled.closeFuture().isDone(), "the dialler gave up: " + dialled.closeFuture().getNow(null));
      path.restore();

      byte[] arrived = Peer.received(accepted).first(30 + data.length).get(30, TimeUnit.SECONDS);
      assertArrayEquals(data, Arrays.copyOfRange(arrived, 30, arrived.length));
      accepted.channel().writeAndFlush(Unpooled.wrappedBuffer(data));
      assertArrayEquals(data, Peer.received(dialled).first(data.length).get(30, TimeUnit.SECONDS));
      assertFalse(accepted.closeFuture().isDone(), "the listener gave up: " + accepted.closeFuture().getNow(null));
    }
  }

  @Test
  void aPathThatStaysCutEndsTheStreamByIdleTimeout() throws Exception {
    Duration idle = Duration.ofMillis(1500);
    try (Peer quick = new Peer(b -> b.idleTimeout(idle))) {
      Listener listener = LinkTest.listen(server, Transport.KCP);
      try (CuttablePath path = new CuttablePath(listener.localAddress())) {
        Stream dialled = quick.linker.dial(path.endpoint(), server.identity()).get(Peer.WAIT_SECONDS, TimeUnit.SECONDS);
        path.cut(Integer.MAX_VALUE);
        dialled.channel().writeAndFlush(Unpooled.wrappedBuffer(new byte[64 * 1024]));
        assertEquals(CloseReason.Origin.TIMEOUT, dialled.closeFuture().get(Peer.WAIT_SECONDS, TimeUnit.SECONDS).origin());
      }
    }
  }

  @Test
  void aDiallerWhosePeersPortClosedEndsTheStreamSayingSo() throws Exception {
    LinkTest.LinkedPair link = LinkTest.connect(client, server, Transport.KCP);
    link.listener().close().get(Peer.WAIT_SECONDS, TimeUnit.SECONDS);
    // Enough to keep sending for a while: every send now draws an ICMP port unreachable.
    link.dialled().channel().writeAndFlush(Unpooled.wrappedBuffer(new byte[4 << 20]));
    CloseReason reason = link.dialled().closeFuture().get(Peer.WAIT_SECONDS, TimeUnit.SECONDS);
    assertEquals(CloseReason.Origin.TRANSPORT, reason.origin(), reason.toString());
    assertTrue(reason.message().contains("port unreachable"), reason.message());
  }
}
