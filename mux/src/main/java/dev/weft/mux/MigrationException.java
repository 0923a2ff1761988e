package dev.weft.mux;

/** A migration was refused or failed; the session stays where it was if that stream lives. */
public final class MigrationException extends Exception {
  private final boolean timedOut;

  public MigrationException(String message) {
    this(message, false);
  }

  /** @param timedOut the peer did not answer within the migrate timeout */
  public MigrationException(String message, boolean timedOut) {
    super(message);
    this.timedOut = timedOut;
  }

  public boolean timedOut() {
    return timedOut;
  }
}
