package dev.weft.link;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.ThreadFactory;

/**
 * The one place that chooses Netty transports: TCP on native epoll where it is available, else
 * NIO, and the channel classes that go with a group; KCP always on NIO (kcp-netty runs only
 * there). The node's own TCP sockets (forwards, bridged targets) use the same choice.
 */
public final class LinkEventLoops {
  private LinkEventLoops() {}

  /** A TCP event loop group: epoll where available, else NIO. */
  public static EventLoopGroup tcp(int threads, ThreadFactory threadFactory) {
    return Epoll.isAvailable() ? new EpollEventLoopGroup(threads, threadFactory)
        : new NioEventLoopGroup(threads, threadFactory);
  }

  /** The KCP event loop: one NIO thread. */
  public static NioEventLoopGroup kcp(ThreadFactory threadFactory) {
    return new NioEventLoopGroup(1, threadFactory);
  }

  /** The client socket class that runs on {@code group}. */
  public static Class<? extends SocketChannel> socketChannel(EventLoopGroup group) {
    return group instanceof EpollEventLoopGroup ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  /** The server socket class that runs on {@code group}. */
  public static Class<? extends ServerSocketChannel> serverChannel(EventLoopGroup group) {
    return group instanceof EpollEventLoopGroup ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }
}
