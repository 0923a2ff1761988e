package dev.weft.it.hostile;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/** The event loops of the attackers' own links, one thread each, apart from any node's. */
final class AttackerLoops implements AutoCloseable {
  final EventLoopGroup tcp = new NioEventLoopGroup(1, new DefaultThreadFactory("attacker-tcp", true));
  final EventLoopGroup kcp = new NioEventLoopGroup(1, new DefaultThreadFactory("attacker-kcp", true));

  @Override
  public void close() throws InterruptedException {
    for (EventLoopGroup loops : new EventLoopGroup[] {tcp, kcp}) {
      loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }
  }
}
