package dev.weft.link;

import java.io.IOException;
import java.net.SocketAddress;

/** A link could not be established; the message says why (timeout, bad peer, refusal, ...). */
public class HandshakeException extends IOException {
  private final transient SocketAddress remoteAddress;

  public HandshakeException(SocketAddress remoteAddress, String message) {
    super(message + (remoteAddress == null ? "" : " (peer " + remoteAddress + ")"));
    this.remoteAddress = remoteAddress;
  }

  /** The peer's address, or null if unknown. */
  public SocketAddress remoteAddress() {
    return remoteAddress;
  }
}
