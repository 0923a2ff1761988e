package dev.weft.node;

import dev.weft.identity.Identity;
import java.util.Set;

/** Who may do something: everyone, or only listed identities. */
public sealed interface Access {
  /** Null when {@code peer} may; otherwise the reason it may not. */
  String refusal(Identity peer);

  static Access anyone() {
    return Anyone.INSTANCE;
  }

  static Access only(Set<Identity> allowed) {
    return new Only(Set.copyOf(allowed));
  }

  /** No restriction. */
  enum Anyone implements Access {
    INSTANCE;

    @Override
    public String refusal(Identity peer) {
      return null;
    }
  }

  /** An allowlist. */
  record Only(Set<Identity> allowed) implements Access {
    @Override
    public String refusal(Identity peer) {
      return allowed.contains(peer) ? null : peer.shortText() + " is not on the allowlist";
    }
  }
}
