package dev.weft.node;

import dev.weft.identity.Identity;
import dev.weft.mux.Session;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An exposed service that bridges each session to a new TCP connection to a local target. */
final class TcpTarget implements Service {
  private static final Logger LOG = LoggerFactory.getLogger(TcpTarget.class);
  private static final long CONNECT_TIMEOUT_MILLIS = 10_000;
  private final HostPort target;
  private final EventLoops loops;
  private final Bootstrap bootstrap;

  TcpTarget(HostPort target, EventLoops loops) {
    this.target = target;
    this.loops = loops;
    this.bootstrap = new Bootstrap()
        .group(loops.group())
        .channel(loops.socketChannel())
        // Timed out below instead: a channel keeps its own cancelled timeout task for as long as
        // the connection lives, 64 bytes per idle bridged session.
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 0)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            TcpBridge.configure(ch);
          }
        });
  }

  @Override
  public void open(Session session, Identity peer) {
    // On the session's own loop, so the bridge needs no thread hop.
    EventLoop loop = loops.member(session.executor());
    ChannelFuture connect = (loop == null ? bootstrap : bootstrap.clone(loop)).connect(target.host(), target.port());
    // Bootstrap's futures are promises; failing it first gives the reason, closing ends the attempt.
    ScheduledFuture<?> timeout = (loop == null ? loops.group().next() : loop).schedule(() -> {
      ((ChannelPromise) connect).tryFailure(new ConnectTimeoutException("no answer within " + CONNECT_TIMEOUT_MILLIS + " ms"));
      connect.channel().close();
    }, CONNECT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    connect.addListener(f -> {
      timeout.cancel(false);
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
