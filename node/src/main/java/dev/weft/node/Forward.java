package dev.weft.node;

import dev.weft.identity.Identity;

/** Each TCP connection accepted on {@code bind} becomes a session to {@code peer}'s {@code service}. */
public record Forward(HostPort bind, Identity peer, String service) {
  public Forward {
    if (bind == null || peer == null) {
      throw new IllegalArgumentException("a forward needs a bind address and a peer");
    }
    ServiceName.check(service);
  }
}
