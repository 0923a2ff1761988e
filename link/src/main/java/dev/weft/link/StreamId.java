package dev.weft.link;

import java.util.HexFormat;

/**
 * A stream's 64-bit id, the same at both ends (taken from the Noise handshake hash, so neither side
 * chooses it alone). Text form: 16 lowercase hex digits.
 */
public record StreamId(long value) {
  /** Parses 16 hex digits. */
  public static StreamId parse(String text) {
    if (text == null || text.length() != 16 || !text.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      throw new IllegalArgumentException("a stream id is 16 hex digits, got '" + text + "'");
    }
    return new StreamId(Long.parseUnsignedLong(text, 16));
  }

  @Override
  public String toString() {
    return HexFormat.of().toHexDigits(value);
  }
}
