package dev.weft.mux;

/** A migration was refused or failed; the session stays where it was if that stream lives. */
public final class MigrationException extends Exception {
  public MigrationException(String message) {
    super(message);
  }
}
