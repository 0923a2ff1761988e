package dev.weft.node;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;

/**
 * The node's TCP event loops (native epoll where available, else NIO) and the channel classes
 * that run on them. Every TCP channel of a node is on this one group, so a peer's streams, its
 * session table and the sockets bridged to its sessions can share one loop: no task hops
 * between threads on the data path.
 */
final class EventLoops {
  private final EventLoopGroup group;
  private final boolean epoll;

  EventLoops(int threads) {
    DefaultThreadFactory threadFactory = new DefaultThreadFactory("weft-io", true);
    this.epoll = Epoll.isAvailable();
    this.group = epoll ? new EpollEventLoopGroup(threads, threadFactory) : new NioEventLoopGroup(threads, threadFactory);
  }

  EventLoopGroup group() {
    return group;
  }

  Class<? extends SocketChannel> socketChannel() {
    return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  Class<? extends ServerChannel> serverChannel() {
    return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  /** {@code executor} as one of these loops, or null if it is not one (a KCP loop, a test's). */
  EventLoop member(EventExecutor executor) {
    return member(group, executor);
  }

  /** {@code executor} as one of {@code group}'s loops, or null. */
  static EventLoop member(EventLoopGroup group, EventExecutor executor) {
    for (EventExecutor loop : group) {
      if (loop == executor) {
        return (EventLoop) loop;
      }
    }
    return null;
  }
}
