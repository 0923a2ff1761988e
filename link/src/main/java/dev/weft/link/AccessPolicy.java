package dev.weft.link;

import dev.weft.identity.Identity;
import java.net.InetSocketAddress;
import java.util.Optional;

/** Decides whether an inbound link from an authenticated identity is accepted. */
@FunctionalInterface
public interface AccessPolicy {
  /** Accepts everyone who completes the handshake. */
  AccessPolicy OPEN = (remote, address) -> Optional.empty();

  /**
   * Empty to accept; otherwise the reason for refusing, which is sent to the peer. Called on the
   * link's event loop: must not block.
   */
  Optional<String> refusal(Identity remote, InetSocketAddress address);
}
