package dev.weft.link;

import java.io.IOException;
import java.net.SocketAddress;

/** A link could not be established; the message says why (timeout, bad peer, refusal, ...). */
public class HandshakeException extends IOException {
  private final transient SocketAddress remoteAddress;
  private final HandshakeOutcome outcome;

  public HandshakeException(SocketAddress remoteAddress, String message) {
    this(remoteAddress, message, HandshakeOutcome.FAILED);
  }

  HandshakeException(SocketAddress remoteAddress, String message, HandshakeOutcome outcome) {
    super(message + (remoteAddress == null ? "" : " (peer " + remoteAddress + ")"));
    this.remoteAddress = remoteAddress;
    this.outcome = outcome;
  }

  /** Which kind of failure this is, for counting. */
  public HandshakeOutcome outcome() {
    return outcome;
  }

  /** The peer's address, or null if unknown. */
  public SocketAddress remoteAddress() {
    return remoteAddress;
  }
}
