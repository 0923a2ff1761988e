package dev.weft.mux;

import dev.weft.identity.IdText;
import java.util.random.RandomGenerator;

/**
 * A session's 64-bit id, unique between two peers. The top bit says which side of the pair
 * opened it, the rest is random, so the two sides can never pick the same id. Text: {@link IdText}.
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

  /** Parses 16 hex digits of either case; throws IllegalArgumentException naming what is wrong. */
  public static SessionId parse(String text) {
    return new SessionId(IdText.parse(text, "session"));
  }

  @Override
  public String toString() {
    return IdText.of(value);
  }
}
