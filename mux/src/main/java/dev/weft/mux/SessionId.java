package dev.weft.mux;

import java.util.HexFormat;
import java.util.random.RandomGenerator;

/**
 * A session's 64-bit id, unique between two peers. The top bit says which side of the pair
 * opened it, the rest is random, so the two sides can never pick the same id. Text: 16 hex digits.
 */
public record SessionId(long value) {
  private static final long SIDE_BIT = 1L << 63;

  /** A fresh random id in the half of the id space that belongs to {@code highSide}. */
  static SessionId random(boolean highSide, RandomGenerator random) {
    long bits = random.nextLong() & ~SIDE_BIT;
    if (bits == 0) {
      bits = 1;
    }
    return new SessionId(highSide ? bits | SIDE_BIT : bits);
  }

  /** Whether an id belongs to the high side's half of the id space. */
  boolean openedByHighSide() {
    return (value & SIDE_BIT) != 0;
  }

  /** Parses 16 hex digits; throws IllegalArgumentException naming what is wrong. */
  public static SessionId parse(String text) {
    if (text.length() != 16) {
      throw new IllegalArgumentException("session id must be 16 hex digits, got \"" + text + "\"");
    }
    try {
      return new SessionId(HexFormat.fromHexDigitsToLong(text));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("session id must be 16 hex digits, got \"" + text + "\"", e);
    }
  }

  @Override
  public String toString() {
    return HexFormat.of().toHexDigits(value);
  }
}
