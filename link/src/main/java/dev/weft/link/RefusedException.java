package dev.weft.link;

import java.net.SocketAddress;

/** The peer completed the handshake but refused the link, with its reason. */
public final class RefusedException extends HandshakeException {
  private final String reason;

  public RefusedException(SocketAddress remoteAddress, String reason) {
    super(remoteAddress, "refused by peer: " + reason, HandshakeOutcome.REFUSED_BY_PEER);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
