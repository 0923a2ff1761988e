package dev.weft.identity;

/** Text given where an identity or alias is expected is a well-formed alias name that is not set. */
public final class UnknownAliasException extends IllegalArgumentException {
  private final String name;

  UnknownAliasException(String name) {
    super("'" + name + "' is neither a known alias nor an identity (64 lowercase hex digits)");
    this.name = name;
  }

  public String name() {
    return name;
  }
}
