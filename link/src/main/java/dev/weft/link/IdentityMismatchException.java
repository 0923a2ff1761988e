package dev.weft.link;

import dev.weft.identity.Identity;
import java.net.SocketAddress;

/** The dialled peer proved an identity other than the one the dialer asked for. */
public final class IdentityMismatchException extends HandshakeException {
  private final Identity expected;
  private final Identity actual;

  public IdentityMismatchException(SocketAddress remoteAddress, Identity expected, Identity actual) {
    super(remoteAddress, "identity mismatch: expected " + expected + " but the peer is " + actual,
        HandshakeOutcome.WRONG_IDENTITY);
    this.expected = expected;
    this.actual = actual;
  }

  public Identity expected() {
    return expected;
  }

  public Identity actual() {
    return actual;
  }
}
