package dev.weft.cli;

import dev.weft.identity.IdText;

/** Stream and session ids as operators type them: 16 hex digits of either case. */
final class Ids {
  private Ids() {}

  /** The id's canonical text; malformed text is a usage error naming {@code what}. */
  static String check(String text, String what) {
    return IdText.of(IdText.parse(text, what));
  }
}
