package dev.weft.link;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a node listens or is dialled: {@code tcp:HOST:PORT} or {@code kcp:HOST:PORT}, with an IPv6
 * literal in brackets ({@code kcp:[::1]:7411}). HOST may be a name; it is resolved when used.
 */
public record Endpoint(Transport transport, String host, int port) {
  private static final Pattern HOSTNAME =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,62})?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62})?)*\\.?");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?");

  public Endpoint {
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is outside 0-65535");
    }
    if (host.isEmpty() || !(HOSTNAME.matcher(host).matches() || isIpv6(host)) || host.length() > 253) {
      throw new IllegalArgumentException("invalid host '" + host + "'");
    }
  }

  /** Parses {@code tcp:HOST:PORT} / {@code kcp:HOST:PORT}; the message says what is wrong. */
  public static Endpoint parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty endpoint (expected tcp:HOST:PORT or kcp:HOST:PORT)");
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
    return transport.scheme() + ":" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
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
