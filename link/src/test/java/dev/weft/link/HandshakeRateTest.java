package dev.weft.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class HandshakeRateTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void aBurstThenOneTokenPerInterval() throws Exception {
    HandshakeRate rate = new HandshakeRate(2, 3);
    InetAddress source = InetAddress.getByName("192.0.2.7");
    for (int i = 0; i < 3; i++) {
      assertTrue(rate.tryAcquire(source, 0), "burst token " + i);
    }
    assertFalse(rate.tryAcquire(source, 0));
    assertEquals(1, rate.throttled(0));
    assertTrue(rate.tryAcquire(source, SECOND / 2), "one token after half a second at 2/s");
    assertFalse(rate.tryAcquire(source, SECOND / 2));
    assertEquals(0, rate.throttled(10 * SECOND), "refilled");
    for (int i = 0; i < 3; i++) {
      assertTrue(rate.tryAcquire(source, 10 * SECOND), "never more than the burst after idling");
    }
    assertFalse(rate.tryAcquire(source, 10 * SECOND));
  }

  @Test
  void ipv6SourcesShareTheirSlash64AndIpv4SourcesDoNot() throws Exception {
    HandshakeRate rate = new HandshakeRate(1, 1);
    assertTrue(rate.tryAcquire(InetAddress.getByName("2001:db8:1:2::1"), 0));
    assertFalse(rate.tryAcquire(InetAddress.getByName("2001:db8:1:2:ffff::9"), 0), "same /64");
    assertTrue(rate.tryAcquire(InetAddress.getByName("2001:db8:1:3::1"), 0), "another /64");
    assertTrue(rate.tryAcquire(InetAddress.getByName("192.0.2.1"), 0));
    assertTrue(rate.tryAcquire(InetAddress.getByName("192.0.2.2"), 0), "IPv4 is per address");
  }

  @Test
  void trackedSourcesAreBounded() throws Exception {
    HandshakeRate rate = new HandshakeRate(1, 1);
    for (int i = 0; i <= HandshakeRate.MAX_SOURCES; i++) {
      rate.tryAcquire(InetAddress.getByAddress(new byte[] {(byte) 198, 18, (byte) (i >> 8), (byte) i}), 0);
    }
    assertEquals(HandshakeRate.MAX_SOURCES, rate.throttled(0), "the oldest source was forgotten");
  }
}
