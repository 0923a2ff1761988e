package dev.weft.link;

import dev.weft.identity.Identity;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a node listens or is dialled: {@code tcp:HOST:PORT} or {@code kcp:HOST:PORT}, with an IPv6
 * literal in brackets ({@code kcp:[::1]:7411}). HOST may be a name; it is resolved when used.
 *
 * <p>A relayed endpoint, {@code relay:RELAY@tcp:HOST:PORT} (or {@code kcp:}), reaches a peer
 * through the relay node of identity {@code relay} at that address (docs/protocol.md part 4):
 * {@code transport}, {@code host} and {@code port} are then the relay's. The node links those;
 * the {@link Linker} only dials and listens on direct ones.
 */
public record Endpoint(Transport transport, String host, int port, Identity relay) {
  private static final String RELAY_PREFIX = Transport.RELAY.scheme() + ":";
  private static final Pattern HOSTNAME =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,62})?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62})?)*\\.?");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?");

  public Endpoint {
    Objects.requireNonNull(transport, "transport");
    if (transport == Transport.RELAY) {
      throw new IllegalArgumentException("an endpoint's transport is tcp or kcp (a relayed one names the relay's)");
    }
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is outside 0-65535");
    }
    if (host.isEmpty() || !(HOSTNAME.matcher(host).matches() || isIpv6(host)) || host.length() > 253) {
      throw new IllegalArgumentException("invalid host '" + host + "'");
    }
  }

  /** A direct endpoint. */
  public Endpoint(Transport transport, String host, int port) {
    this(transport, host, port, null);
  }

  /** Reached through a relay. */
  public boolean relayed() {
    return relay != null;
  }

  /** The relay's own endpoint (this one if it is direct). */
  public Endpoint hop() {
    return new Endpoint(transport, host, port);
  }

  /**
   * Parses {@code tcp:HOST:PORT} / {@code kcp:HOST:PORT} / {@code relay:IDENTITY@tcp:HOST:PORT}; the
   * message says what is wrong. (An alias in place of IDENTITY is resolved by the caller.)
   */
  public static Endpoint parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty endpoint (expected tcp:HOST:PORT or kcp:HOST:PORT)");
    }
    if (text.startsWith(RELAY_PREFIX)) {
      int at = text.indexOf('@');
      if (at < 0) {
        throw new IllegalArgumentException("endpoint '" + text + "': expected relay:RELAY@tcp:HOST:PORT");
      }
      Identity relay = Identity.parse(text.substring(RELAY_PREFIX.length(), at));
      Endpoint hop = parse(text.substring(at + 1));
      if (hop.relayed()) {
        throw new IllegalArgumentException("endpoint '" + text + "': a relay is reached directly, not through another");
      }
      return new Endpoint(hop.transport, hop.host, hop.port, relay);
    }
    int colon = text.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("endpoint '" + text + "' has no transport (expected tcp:HOST:PORT or kcp:HOST:PORT)");
    }
    Transport transport = Transport.ofScheme(text.substring(0, colon));
    String rest = text.substring(colon + 1);
    String host;
    String port;
    if (rest.startsWith("[")) {
      int close = rest.indexOf(']');
      if (close < 0 || close + 1 >= rest.length() || rest.charAt(close + 1) != ':') {
        throw new IllegalArgumentException("endpoint '" + text + "': an IPv6 address needs the form [ADDRESS]:PORT");
      }
      host = rest.substring(1, close);
      if (!isIpv6(host)) {
        throw new IllegalArgumentException("endpoint '" + text + "': '" + host + "' is not an IPv6 address");
      }
      port = rest.substring(close + 2);
    } else {
      int last = rest.lastIndexOf(':');
      if (last < 0) {
        throw new IllegalArgumentException("endpoint '" + text + "' has no port (expected " + transport.scheme() + ":HOST:PORT)");
      }
      host = rest.substring(0, last);
      if (host.contains(":")) {
        throw new IllegalArgumentException("endpoint '" + text + "': put an IPv6 address in brackets, e.g. [::1]");
      }
      port = rest.substring(last + 1);
    }
    return new Endpoint(transport, host, parsePort(text, port));
  }

  /** An unresolved socket address: resolution happens in Netty when connecting or binding. */
  public InetSocketAddress socketAddress() {
    return InetSocketAddress.createUnresolved(host, port);
  }

  @Override
  public String toString() {
    String direct = transport.scheme() + ":" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    return relayed() ? RELAY_PREFIX + relay + "@" + direct : direct;
  }

  private static boolean isIpv6(String host) {
    return host.contains(":") && IPV6.matcher(host).matches();
  }

  private static int parsePort(String text, String port) {
    if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("endpoint '" + text + "': port '" + port + "' is not a number 0-65535");
    }
    int value = Integer.parseInt(port);
    if (value > 65535) {
      throw new IllegalArgumentException("endpoint '" + text + "': port " + value + " is outside 0-65535");
    }
    return value;
  }
}
