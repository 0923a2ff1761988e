package dev.weft.node.admin;

import static java.util.concurrent.CompletableFuture.completedFuture;

import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpServerCodec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;

/**
 * The admin HTTP/1.1 + JSON API on its own event loop thread. Binds loopback unless the caller
 * explicitly allows otherwise; every request needs the bearer token.
 */
public final class AdminServer implements AutoCloseable {
  /** The default port. */
  public static final int DEFAULT_PORT = 7412;
  /** Larger request bodies are refused with 413. */
  public static final int MAX_BODY = 64 * 1024;
  /** A connection must deliver each complete request within this (slow or idle clients are cut off). */
  public static final Duration REQUEST_DEADLINE = Duration.ofSeconds(10);

  private final HttpListener listener;

  private AdminServer(HttpListener listener) {
    this.listener = listener;
  }

  /**
   * Serves {@code node} on {@code bind}. A non-loopback address needs {@code allowRemote}: the API
   * controls the node, so exposing it must be a deliberate choice. {@code origins} are the web
   * pages besides the listener's own that may open WebSockets.
   */
  public static AdminServer start(NodeControl node, InetSocketAddress bind, boolean allowRemote,
      String token, AllowedOrigins origins) throws IOException {
    if (!bind.isUnresolved() && !allowRemote && !bind.getAddress().isLoopbackAddress()) {
      throw new IllegalArgumentException("admin address " + bind.getAddress().getHostAddress()
          + " is not loopback; binding it needs the explicit remote-admin option");
    }
    DashboardLogins logins = new DashboardLogins(Clock.systemUTC());
    Routes routes = AdminApi.routes(node)
        .add(HttpMethod.POST, "/dashboard/login-codes", call -> completedFuture(logins.newCode()));
    return new AdminServer(HttpListener.bind("admin", bind, () -> handlers(routes, node, token, logins, origins)));
  }

  /** What each admin connection runs (also what the admin fuzz test drives). */
  static ChannelHandler[] handlers(Routes routes, NodeControl node, String token,
      DashboardLogins logins, AllowedOrigins origins) {
    return new ChannelHandler[] {new HttpServerCodec(), new BodyLimit(MAX_BODY),
        new RequestDeadline(REQUEST_DEADLINE), new DashboardPages(logins),
        new AdminHandler(routes, node, token, logins, origins)};
  }

  public InetSocketAddress address() {
    return listener.address();
  }

  @Override
  public void close() {
    listener.close();
  }
}
