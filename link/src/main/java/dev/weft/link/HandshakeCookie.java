package dev.weft.link;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A KCP listener's stateless proof that a source address can receive (docs/protocol.md §2.3): a
 * MAC of the source's IP address and port under a secret that is replaced every
 * {@link #ROTATION_NANOS}. A cookie made under the current or the previous secret is valid, so it
 * lives 2 to 4 minutes, and the listener keeps two secrets and nothing per source.
 *
 * <p>Only the listener that made a cookie checks it, so the MAC is its own choice: HMAC-SHA256 over
 * the address bytes (4 or 16) and the port (u16 big-endian), truncated to {@link #LENGTH} bytes.
 * Not thread-safe: one listener's datagrams are all handled on its event loop.
 */
final class HandshakeCookie {
  static final int LENGTH = 16;
  static final long ROTATION_NANOS = 120_000_000_000L;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final long origin;
  /** Keyed once per period: keying HMAC costs as much as a short MAC. */
  private Mac current = keyed();
  private Mac previous = keyed();
  private long epoch;

  HandshakeCookie(long nowNanos) {
    this.origin = nowNanos;
  }

  /** The cookie for {@code source} now. */
  byte[] mint(InetSocketAddress source, long nowNanos) {
    rotate(nowNanos);
    return compute(current, source);
  }

  /** Whether the {@link #LENGTH} bytes at {@code cookie}'s reader index are a live cookie for {@code source}. */
  boolean valid(InetSocketAddress source, ByteBuf cookie, long nowNanos) {
    rotate(nowNanos);
    byte[] given = new byte[LENGTH];
    cookie.getBytes(cookie.readerIndex(), given);
    return MessageDigest.isEqual(given, compute(current, source))
        || MessageDigest.isEqual(given, compute(previous, source));
  }

  /** Secrets belong to fixed periods, so a cookie lives from one to two periods however busy the listener is. */
  private void rotate(long nowNanos) {
    long now = (nowNanos - origin) / ROTATION_NANOS;
    if (now == epoch) {
      return;
    }
    previous = now == epoch + 1 ? current : keyed();
    current = keyed();
    epoch = now;
  }

  private static byte[] compute(Mac mac, InetSocketAddress source) {
    mac.update(source.getAddress().getAddress());
    mac.update((byte) (source.getPort() >>> 8));
    mac.update((byte) source.getPort());
    return Arrays.copyOf(mac.doFinal(), LENGTH);
  }

  /** HMAC-SHA256 under 32 fresh random bytes. */
  private static Mac keyed() {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java runtime has HmacSHA256 and takes a 32-byte key", e);
    }
  }
}
