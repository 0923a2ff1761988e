package dev.weft.node.admin;

import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.HttpServerCodec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.function.Supplier;

/**
 * A listener for Prometheus alone ({@code weft run --metrics}): {@code GET /metrics} without a
 * token, nothing else. It reads and changes nothing but the scrape, so it may be bound where a
 * Prometheus server can reach it; that address is the operator's explicit choice.
 */
public final class MetricsServer implements AutoCloseable {
  /** A scrape has no body; anything larger is refused. */
  private static final int MAX_BODY = 1024;

  private final HttpListener listener;

  private MetricsServer(HttpListener listener) {
    this.listener = listener;
  }

  /** Serves {@code scrape} (Prometheus text format) on {@code bind}, on its own event loop thread. */
  public static MetricsServer start(Supplier<byte[]> scrape, InetSocketAddress bind) throws IOException {
    return new MetricsServer(HttpListener.bind("metrics", bind, () -> new ChannelHandler[] {new HttpServerCodec(),
        new BodyLimit(MAX_BODY), new RequestDeadline(AdminServer.REQUEST_DEADLINE), new MetricsHandler(scrape)}));
  }

  public InetSocketAddress address() {
    return listener.address();
  }

  @Override
  public void close() {
    listener.close();
  }
}
