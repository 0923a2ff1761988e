package dev.weft.link;

import java.time.Duration;

/**
 * When a link changes its transport keys (docs/protocol.md §6.1): each side sends REKEY before its
 * next message once {@code afterBytes} have gone out under its sending key or {@code afterTime}
 * has passed since that key took over, and closes the link if the peer sends more than
 * {@code receiveLimit} bytes under one key.
 */
record Rekeying(long afterBytes, Duration afterTime, long receiveLimit) {
  /** The protocol's bound on the bytes under one key, which every peer enforces. */
  static final long RECEIVE_LIMIT = 1L << 32;
  /** The largest byte threshold a sender may use: far enough below the peer's bound. */
  static final long MAX_AFTER_BYTES = 1L << 31;
  static final Rekeying DEFAULT = new Rekeying(1L << 30, Duration.ofMinutes(2), RECEIVE_LIMIT);

  Rekeying {
    if (afterBytes < 1 || afterBytes > MAX_AFTER_BYTES) {
      throw new IllegalArgumentException("rekey threshold must be 1 to 2^31 bytes, not " + afterBytes);
    }
    if (afterTime == null || afterTime.isNegative() || afterTime.isZero()) {
      throw new IllegalArgumentException("rekey interval must be positive");
    }
    if (receiveLimit < 1) {
      throw new IllegalArgumentException("receive limit must be positive");
    }
  }
}
