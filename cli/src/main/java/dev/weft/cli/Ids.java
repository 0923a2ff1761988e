package dev.weft.cli;

import java.util.regex.Pattern;

/** Stream and session ids as operators type them: 16 hex digits. */
final class Ids {
  private static final Pattern ID = Pattern.compile("[0-9a-f]{16}");

  private Ids() {}

  /** The id; malformed text is a usage error naming {@code what}. */
  static String check(String text, String what) {
    if (!ID.matcher(text).matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a " + what + " id (16 lowercase hex digits)");
    }
    return text;
  }
}
