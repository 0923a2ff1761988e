package dev.weft.mux;

/** An open failed: the peer (or a local limit) refused it with a reason. */
public final class SessionRejectedException extends Exception {
  private final Reason reason;

  public SessionRejectedException(Reason reason, String message) {
    super(reason + ": " + message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
