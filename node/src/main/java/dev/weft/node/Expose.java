package dev.weft.node;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.weft.identity.Identity;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * A service whose sessions are bridged to a local TCP {@code target}. Reachable by the identities
 * in {@code allow}, or by anyone when {@code anyone} (JSON {@code "public"}) is set.
 */
public record Expose(String service, HostPort target, Set<Identity> allow,
    @JsonProperty("public") boolean anyone) {
  public Expose {
    ServiceName.check(service);
    if (target == null) {
      throw new IllegalArgumentException("expose " + service + ": target HOST:PORT is missing");
    }
    allow = Collections.unmodifiableSortedSet(allow == null ? new TreeSet<>() : new TreeSet<>(allow));
    if (anyone && !allow.isEmpty()) {
      throw new IllegalArgumentException("expose " + service + ": --public and --allow exclude each other");
    }
    if (!anyone && allow.isEmpty()) {
      throw new IllegalArgumentException(
          "expose " + service + ": nobody could reach it; give --allow PEER or --public");
    }
  }

  /** The access rule this expose grants. */
  public Access access() {
    return anyone ? Access.anyone() : Access.only(allow);
  }
}
