package dev.weft.identity;

import java.util.HexFormat;

/**
 * The one text form of the 64-bit ids of streams and sessions, for every module: 16 hex digits,
 * written in lowercase, read in either case (an operator may paste them from anywhere).
 */
public final class IdText {
  private static final HexFormat LOWER = HexFormat.of();

  private IdText() {}

  public static String of(long id) {
    return LOWER.toHexDigits(id);
  }

  /**
   * Parses 16 hex digits of either case; {@code what} names the id in the error
   * ({@code "stream"}, {@code "session"}).
   */
  public static long parse(String text, String what) {
    // HexFormat's test is ASCII only (Character.digit would take other scripts' digits too).
    if (text == null || text.length() != 16 || !text.chars().allMatch(HexFormat::isHexDigit)) {
      throw new IllegalArgumentException("'" + text + "' is not a " + what + " id (16 hex digits)");
    }
    return Long.parseUnsignedLong(text, 16);
  }
}
