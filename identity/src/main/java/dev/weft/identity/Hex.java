package dev.weft.identity;

import java.util.HexFormat;

/** Lowercase hex text with errors that point at the offending character. */
final class Hex {
  private static final HexFormat LOWER = HexFormat.of();

  private Hex() {}

  static String encode(byte[] bytes) {
    return LOWER.formatHex(bytes);
  }

  /**
   * Decodes exactly {@code length} bytes of lowercase hex; {@code what} names the value in errors.
   */
  static byte[] decode(String text, int length, String what) {
    if (text == null) {
      throw new IllegalArgumentException(what + " is missing");
    }
    if (text.length() != length * 2) {
      throw new IllegalArgumentException(what + " must be " + length * 2 + " hex digits, got "
          + text.length() + " characters");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        throw new IllegalArgumentException(what + " has an invalid character '" + printable(c)
            + "' at position " + (i + 1) + " (expected lowercase hex 0-9a-f)");
      }
    }
    return LOWER.parseHex(text);
  }

  private static String printable(char c) {
    return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c);
  }
}
