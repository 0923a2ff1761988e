package dev.weft.node.admin;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which web pages may open a WebSocket on the admin listener, by the {@code Origin} their browser
 * sends: the listener's own origin ({@code http://} and the address and port the connection came
 * to, or {@code localhost} and that port on a loopback listener) and the ones the operator lists.
 * Without this, any page the operator visits could drive the node with the browser's credentials.
 */
public record AllowedOrigins(Set<String> listed) {
  private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

  /** {@code listed} must hold {@link #normalize normalized} origins. */
  public AllowedOrigins {
    listed = Set.copyOf(listed);
  }

  public static AllowedOrigins none() {
    return new AllowedOrigins(Set.of());
  }

  /**
   * An origin as browsers send it ({@code scheme://host[:port]}, lower case, no default port);
   * {@link IllegalArgumentException} if {@code url} is not an http(s) origin.
   */
  public static String normalize(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("origin " + url + " is not a URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String path = uri.getRawPath();
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
        || uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null
        || !(path == null || path.isEmpty() || path.equals("/"))) {
      throw new IllegalArgumentException("origin " + url
          + " must be http:// or https:// with a host and an optional port, nothing else");
    }
    int port = uri.getPort();
    boolean defaultPort = port == -1 || port == (scheme.equals("http") ? 80 : 443);
    return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
  }

  /** Whether a request with this {@code Origin} header, arriving at {@code local}, may go on. */
  boolean allows(String origin, InetSocketAddress local) {
    String normalized;
    try {
      normalized = normalize(origin);
    } catch (IllegalArgumentException e) {
      return false; // "null" (sandboxed pages, files) and garbage
    }
    return listed.contains(normalized) || own(URI.create(normalized), local);
  }

  private static boolean own(URI origin, InetSocketAddress local) {
    int port = origin.getPort() == -1 ? 80 : origin.getPort();
    if (!origin.getScheme().equals("http") || port != local.getPort()) {
      return false;
    }
    String host = origin.getHost();
    if (host.equals("localhost")) {
      return local.getAddress().isLoopbackAddress();
    }
    // Only literal addresses are compared: resolving a name here would ask DNS, which a page's
    // owner controls (DNS rebinding).
    boolean literal = host.startsWith("[") || IPV4.matcher(host).matches();
    try {
      return literal && InetAddress.getByName(host.replace("[", "").replace("]", ""))
          .equals(local.getAddress());
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
