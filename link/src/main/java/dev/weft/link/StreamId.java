package dev.weft.link;

import dev.weft.identity.IdText;

/**
 * A stream's 64-bit id, the same at both ends (taken from the Noise handshake hash, so neither side
 * chooses it alone). Text form: {@link IdText}.
 */
public record StreamId(long value) {
  /** Parses 16 hex digits of either case. */
  public static StreamId parse(String text) {
    return new StreamId(IdText.parse(text, "stream"));
  }

  @Override
  public String toString() {
    return IdText.of(value);
  }
}
