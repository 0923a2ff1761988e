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

  /** Parses {@code RELAY_IDENTITY@tcp:HOST:PORT}; the message says what is wrong. */
  public static ReservedRelay parse(String text) {
    int at = text.indexOf('@');
    if (at < 0) {
      throw new IllegalArgumentException("'" + text + "': expected RELAY@tcp:HOST:PORT or RELAY@kcp:HOST:PORT");
    }
    return new ReservedRelay(Identity.parse(text.substring(0, at)), text.substring(at + 1));
  }

  Endpoint direct() {
    return Endpoint.parse(endpoint);
  }
}
