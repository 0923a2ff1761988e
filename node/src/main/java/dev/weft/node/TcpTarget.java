package dev.weft.node;

import dev.weft.identity.Identity;
import dev.weft.mux.Session;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An exposed service that bridges each session to a new TCP connection to a local target. */
final class TcpTarget implements Service {
  private static final Logger LOG = LoggerFactory.getLogger(TcpTarget.class);
  private final HostPort target;
  private final Bootstrap bootstrap;

  TcpTarget(HostPort target, EventLoopGroup group) {
    this.target = target;
    this.bootstrap = new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            TcpBridge.configure(ch);
          }
        });
  }

  @Override
  public void open(Session session, Identity peer) {
    ChannelFuture connect = bootstrap.connect(target.host(), target.port());
    connect.addListener(f -> {
      if (f.isSuccess()) {
        TcpBridge.join(connect.channel(), session);
      } else {
        LOG.warn("session {} from {}: cannot reach {}: {}", session.id(), peer.shortText(), target,
            f.cause().getMessage());
        session.reset("the service's target " + target + " is unreachable");
      }
    });
  }
}
