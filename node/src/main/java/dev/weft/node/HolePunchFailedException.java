package dev.weft.node;

/** A hole punch ended without a direct stream; the message says why (docs/nat.md). */
public final class HolePunchFailedException extends Exception {
  public HolePunchFailedException(String reason) {
    super(reason);
  }
}
