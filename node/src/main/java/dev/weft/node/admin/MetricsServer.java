package dev.weft.node.admin;

import dev.weft.link.LinkEventLoops;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A listener for Prometheus alone ({@code weft run --metrics}): {@code GET /metrics} without a
 * token, nothing else. It reads and changes nothing but the scrape, so it may be bound where a
 * Prometheus server can reach it; that address is the operator's explicit choice.
 */
public final class MetricsServer implements AutoCloseable {
  /** A scrape has no body; anything larger is refused. */
  private static final int MAX_BODY = 1024;

  private final EventLoopGroup group;
  private final Channel channel;

  private MetricsServer(EventLoopGroup group, Channel channel) {
    this.group = group;
    this.channel = channel;
  }

  /** Serves {@code scrape} (Prometheus text format) on {@code bind}, on its own event loop thread. */
  public static MetricsServer start(Supplier<byte[]> scrape, InetSocketAddress bind) throws IOException {
    if (bind.isUnresolved()) {
      throw new IOException("cannot resolve metrics address " + bind.getHostString());
    }
    EventLoopGroup group = LinkEventLoops.tcp(1, new DefaultThreadFactory("weft-metrics", true));
    ChannelFuture bound = new ServerBootstrap()
        .group(group)
        .channel(LinkEventLoops.serverChannel(group))
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), new BodyLimit(MAX_BODY),
                new RequestDeadline(AdminServer.REQUEST_DEADLINE), new MetricsHandler(scrape));
          }
        })
        .bind(bind).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw new IOException("cannot bind metrics listener on " + bind + ": "
          + bound.cause().getMessage(), bound.cause());
    }
    return new MetricsServer(group, bound.channel());
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
