package dev.weft.link;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** A native (epoll) TCP connection on loopback, for tests of socket options; needs Epoll. */
final class EpollConnection implements AutoCloseable {
  private final EventLoopGroup group = new EpollEventLoopGroup(1);
  private final Channel server;
  private final Channel client;

  EpollConnection() throws InterruptedException {
    server = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
        .childHandler(new ChannelInboundHandlerAdapter()).bind("127.0.0.1", 0).sync().channel();
    client = new Bootstrap().group(group).channel(EpollSocketChannel.class)
        .handler(new ChannelInboundHandlerAdapter())
        .connect((InetSocketAddress) server.localAddress()).sync().channel();
  }

  /** The dialling side's channel. */
  Channel client() {
    return client;
  }

  @Override
  public void close() throws InterruptedException {
    client.close().sync();
    server.close().sync();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }
}
