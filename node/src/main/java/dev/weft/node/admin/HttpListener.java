package dev.weft.node.admin;

import dev.weft.link.LinkEventLoops;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** A local HTTP listener on an event loop thread of its own; each connection gets a fresh pipeline. */
final class HttpListener implements AutoCloseable {
  private final EventLoopGroup group;
  private final Channel channel;

  private HttpListener(EventLoopGroup group, Channel channel) {
    this.group = group;
    this.channel = channel;
  }

  /** Binds {@code bind}; {@code what} names the listener in errors and its thread. */
  static HttpListener bind(String what, InetSocketAddress bind, Supplier<ChannelHandler[]> pipeline)
      throws IOException {
    if (bind.isUnresolved()) {
      throw new IOException("cannot resolve " + what + " address " + bind.getHostString());
    }
    EventLoopGroup group = LinkEventLoops.tcp(1, new DefaultThreadFactory("weft-" + what, true));
    ChannelFuture bound = new ServerBootstrap()
        .group(group)
        .channel(LinkEventLoops.serverChannel(group))
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(pipeline.get());
          }
        })
        .bind(bind).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw new IOException("cannot bind " + what + " listener on " + bind + ": "
          + bound.cause().getMessage(), bound.cause());
    }
    return new HttpListener(group, bound.channel());
  }

  InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
