package dev.weft.node;

import dev.weft.identity.Identity;
import dev.weft.link.Endpoint;
import java.util.Objects;

/**
 * A relay this node keeps a reservation at ({@code --reserve RELAY@tcp:HOST:PORT}), kept in the
 * data directory's reservations.json.
 *
 * @param endpoint the relay's own (direct) endpoint
 */
public record ReservedRelay(Identity relay, String endpoint) {
  public ReservedRelay {
    Objects.requireNonNull(relay, "relay");
    if (Endpoint.parse(endpoint).relayed()) {
      throw new IllegalArgumentException("a relay is reserved at directly, not through another: " + endpoint);
    }
  }

  Endpoint direct() {
    return Endpoint.parse(endpoint);
  }
}
