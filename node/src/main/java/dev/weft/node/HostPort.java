package dev.weft.node;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.net.InetSocketAddress;

/** A TCP address as operators write it: {@code HOST:PORT}, IPv6 hosts in brackets. */
public record HostPort(String host, int port) {
  public HostPort {
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("host is missing");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is out of range 0-65535");
    }
  }

  /** Parses {@code HOST:PORT} or {@code [V6]:PORT}; the message says what is wrong. */
  @JsonCreator
  public static HostPort parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("address is missing (expected HOST:PORT)");
    }
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("'" + text + "' is not HOST:PORT");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      throw new IllegalArgumentException("'" + text + "': write IPv6 hosts in brackets, [::1]:PORT");
    }
    return new HostPort(host, parsePort(text.substring(colon + 1)));
  }

  /** Parses a port number alone. */
  public static int parsePort(String text) {
    try {
      int port = Integer.parseInt(text);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below, with the text
    }
    throw new IllegalArgumentException("'" + text + "' is not a port (0-65535)");
  }

  public static HostPort of(InetSocketAddress address) {
    String host = address.isUnresolved() ? address.getHostString()
        : address.getAddress().getHostAddress();
    return new HostPort(host, address.getPort());
  }

  @JsonValue
  @Override
  public String toString() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }
}
