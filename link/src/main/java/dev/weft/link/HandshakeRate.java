package dev.weft.link;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A token bucket per source address for inbound connections, after WireGuard's handshake rate
 * limiter: each source earns {@code perSecond} tokens a second, holds at most {@code burst}, and a
 * connection that finds no token is closed before any handshake work is done. IPv6 sources are
 * grouped by their /64, since one host can hold a whole /64.
 *
 * <p>At most {@link #MAX_SOURCES} sources are tracked; the least recently seen is forgotten first,
 * so a flood from many addresses costs bounded memory (the pending-handshake cap bounds the rest).
 */
final class HandshakeRate {
  static final int MAX_SOURCES = 4096;

  private final double tokensPerNano;
  private final int burst;
  private final Map<InetAddress, Bucket> buckets = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<InetAddress, Bucket> eldest) {
      return size() > MAX_SOURCES;
    }
  };

  private static final class Bucket {
    double tokens;
    long updated;

    Bucket(double tokens, long updated) {
      this.tokens = tokens;
      this.updated = updated;
    }
  }

  HandshakeRate(int perSecond, int burst) {
    this.tokensPerNano = perSecond / 1e9;
    this.burst = burst;
  }

  /** Takes a token for {@code source}; false if it has none left. */
  synchronized boolean tryAcquire(InetAddress source, long nowNanos) {
    Bucket bucket = buckets.computeIfAbsent(group(source), a -> new Bucket(burst, nowNanos));
    refill(bucket, nowNanos);
    if (bucket.tokens < 1) {
      return false;
    }
    bucket.tokens -= 1;
    return true;
  }

  /** Sources that would be refused right now. */
  synchronized int throttled(long nowNanos) {
    int count = 0;
    for (Bucket bucket : buckets.values()) {
      if (bucket.tokens + (nowNanos - bucket.updated) * tokensPerNano < 1) {
        count++;
      }
    }
    return count;
  }

  private void refill(Bucket bucket, long nowNanos) {
    bucket.tokens = Math.min(burst, bucket.tokens + (nowNanos - bucket.updated) * tokensPerNano);
    bucket.updated = nowNanos;
  }

  private static InetAddress group(InetAddress source) {
    if (!(source instanceof Inet6Address)) {
      return source;
    }
    byte[] prefix = Arrays.copyOf(source.getAddress(), 16);
    Arrays.fill(prefix, 8, 16, (byte) 0);
    try {
      return InetAddress.getByAddress(prefix);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("16 bytes are always an IPv6 address", e);
    }
  }
}
