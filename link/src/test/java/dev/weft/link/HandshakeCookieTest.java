package dev.weft.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class HandshakeCookieTest {
  private static final long START = 5_000_000_000L;
  private static final long PERIOD = HandshakeCookie.ROTATION_NANOS;
  private static final InetSocketAddress SOURCE = new InetSocketAddress("198.18.0.1", 40000);

  private final HandshakeCookie cookie = new HandshakeCookie(START);

  @Test
  void aCookieIsValidForTheAddressItWasMadeFor() {
    byte[] minted = cookie.mint(SOURCE, START);
    assertEquals(HandshakeCookie.LENGTH, minted.length);
    assertTrue(valid(SOURCE, minted, START + 1));
  }

  @Test
  void anotherAddressOrPortCannotUseIt() {
    byte[] minted = cookie.mint(SOURCE, START);
    assertFalse(valid(new InetSocketAddress("198.18.0.7", 40000), minted, START));
    assertFalse(valid(new InetSocketAddress("198.18.0.1", 40001), minted, START));
  }

  @Test
  void aCookieOutlivesOneRotationButNotTwo() {
    byte[] minted = cookie.mint(SOURCE, START + PERIOD - 1);
    assertTrue(valid(SOURCE, minted, START + PERIOD), "under the previous secret");
    assertTrue(valid(SOURCE, minted, START + 2 * PERIOD - 1), "still the previous secret");
    assertFalse(valid(SOURCE, minted, START + 2 * PERIOD), "expired");
  }

  @Test
  void afterALongSilenceOldCookiesAreAllExpired() {
    byte[] minted = cookie.mint(SOURCE, START);
    assertFalse(valid(SOURCE, minted, START + 5 * PERIOD));
    byte[] fresh = cookie.mint(SOURCE, START + 5 * PERIOD);
    assertTrue(valid(SOURCE, fresh, START + 6 * PERIOD - 1));
  }

  @Test
  void anotherListenersCookieIsRejected() {
    byte[] foreign = new HandshakeCookie(START).mint(SOURCE, START);
    assertFalse(valid(SOURCE, foreign, START));
  }

  private boolean valid(InetSocketAddress source, byte[] minted, long now) {
    return cookie.valid(source, Unpooled.wrappedBuffer(minted), now);
  }
}
