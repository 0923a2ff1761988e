package dev.weft.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpower.kcp.netty.DefaultUkcpClientChannelConfig;
import io.jpower.kcp.netty.Ukcp;
import io.jpower.kcp.netty.UkcpClientChannel;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import java.lang.reflect.Method;
import java.net.DatagramSocket;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** kcp-netty's own state machine under weft's settings, on a simulated clock. */
@Timeout(10)
class KcpSettingsTest {
  @Test
  void aSegmentNeverAcknowledgedForAMinuteLeavesTheConversationToTheIdleTimeout() throws Exception {
    AtomicInteger datagrams = new AtomicInteger();
    Ukcp ukcp = new Ukcp(1, (datagram, kcp) -> {
      datagrams.incrementAndGet();
      datagram.release();
    });
    UkcpClientChannel channel = new UkcpClientChannel();
    try (DatagramSocket unbound = new DatagramSocket(null)) {
      new DefaultUkcpClientChannelConfig(channel, ukcp, unbound).setOptions(KcpSettings.options());
      ukcp.send(Unpooled.wrappedBuffer(new byte[100]));
      // A minute without a single ACK, as from a peer starved of CPU (at the 30 ms minimum RTO,
      // kcp-netty's default dead-link count gave up after about 3 s).
      for (int now = 0; now <= 60_000; now += KcpSettings.INTERVAL_MILLIS) {
        ukcp.update(now);
      }
      assertEquals(0, ukcp.getState(), "KCP declared the link dead after " + datagrams.get() + " datagrams");
      assertTrue(datagrams.get() > 20, "only " + datagrams.get() + " datagrams were sent");
    } finally {
      Method close = Ukcp.class.getDeclaredMethod("setKcpClosed");
      close.setAccessible(true);
      close.invoke(ukcp);
      ((Channel) channel).unsafe().closeForcibly(); // never registered: only its socket to close
    }
  }
}
