package dev.weft.node;

import dev.weft.link.LinkEventLoops;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;

/**
 * The node's TCP event loops (the link's transport choice, {@link LinkEventLoops}) and the channel
 * classes that run on them. Every TCP channel of a node is on this one group, so a peer's streams,
 * its session table and the sockets bridged to its sessions can share one loop: no task hops
 * between threads on the data path.
 */
final class EventLoops {
  private final EventLoopGroup group;

  EventLoops(int threads) {
    this.group = LinkEventLoops.tcp(threads, new DefaultThreadFactory("weft-io", true));
  }

  EventLoopGroup group() {
    return group;
  }

  Class<? extends SocketChannel> socketChannel() {
    return LinkEventLoops.socketChannel(group);
  }

  Class<? extends ServerChannel> serverChannel() {
    return LinkEventLoops.serverChannel(group);
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
