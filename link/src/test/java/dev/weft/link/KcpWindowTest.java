package dev.weft.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpower.kcp.netty.UkcpChannelConfig;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The KCP window a Linker is built with is what its real conversations run with, at both ends. */
@Timeout(60)
class KcpWindowTest {
  @Test
  void eachSideRunsItsConversationsWithTheWindowItWasBuiltWith() throws Exception {
    try (Peer server = new Peer(b -> b.kcpWindow(256 * 1024)); Peer client = new Peer()) {
      Listener listener = LinkTest.listen(server, Transport.KCP);
      Stream dialled = client.linker.dial(listener.endpoint(), server.identity()).get(Peer.WAIT_SECONDS, TimeUnit.SECONDS);
      Stream accepted = server.nextStream();
      UkcpChannelConfig near = (UkcpChannelConfig) dialled.channel().config();
      UkcpChannelConfig far = (UkcpChannelConfig) accepted.channel().config();
      // The send window adapts below these (KcpSendWindow); the receive window is what was set.
      assertEquals(3430, near.getRcvWnd(), "4.5 MiB by default, in 1,376-byte segments");
      assertEquals(191, far.getRcvWnd(), "256 KiB");
      assertTrue(near.getSndWnd() <= 3430 && far.getSndWnd() <= 191, near.getSndWnd() + " and " + far.getSndWnd());
    }
  }

  @Test
  void aWindowOutsideItsBoundsIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new KcpSettings(64 * 1024 - 1));
    assertThrows(IllegalArgumentException.class, () -> new KcpSettings(64 * 1024 * 1024 + 1));
    assertEquals(48_771, new KcpSettings(64 * 1024 * 1024).windowSegments(), "within KCP's 16-bit window field");
  }
}
