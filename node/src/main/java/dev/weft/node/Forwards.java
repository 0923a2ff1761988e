package dev.weft.node;

import dev.weft.identity.Identity;
import dev.weft.mux.Session;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Local listeners whose connections each become a session to a peer's service (ssh -L). */
final class Forwards {
  private static final Logger LOG = LoggerFactory.getLogger(Forwards.class);

  private record Bound(Forward forward, Channel server) {}

  private final ConcurrentMap<Integer, Bound> byPort = new ConcurrentHashMap<>();
  private final EventLoops loops;
  private final BiFunction<Identity, String, CompletableFuture<Session>> opener;

  Forwards(EventLoops loops, BiFunction<Identity, String, CompletableFuture<Session>> opener) {
    this.loops = loops;
    this.opener = opener;
  }

  /** Binds {@code forward.bind()}; completes with the forward as bound (port 0 resolved). */
  CompletableFuture<Forward> start(Forward forward) {
    if (forward.bind().port() != 0 && byPort.containsKey(forward.bind().port())) {
      return CompletableFuture.failedFuture(new IllegalStateException(
          "port " + forward.bind().port() + " is already forwarded"));
    }
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(loops.group())
        .channel(loops.serverChannel())
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            TcpBridge.configure(ch);
            connect(ch, forward);
          }
        });
    CompletableFuture<Forward> result = new CompletableFuture<>();
    ChannelFuture bind = bootstrap.bind(forward.bind().host(), forward.bind().port());
    bind.addListener(f -> {
      if (!f.isSuccess()) {
        result.completeExceptionally(new IllegalStateException(
            "cannot listen on " + forward.bind() + ": " + f.cause().getMessage()));
        return;
      }
      InetSocketAddress local = (InetSocketAddress) bind.channel().localAddress();
      Forward bound = new Forward(new HostPort(forward.bind().host(), local.getPort()),
          forward.peer(), forward.service());
      if (byPort.putIfAbsent(local.getPort(), new Bound(bound, bind.channel())) != null) {
        bind.channel().close();
        result.completeExceptionally(new IllegalStateException(
            "port " + local.getPort() + " is already forwarded"));
        return;
      }
      result.complete(bound);
    });
    return result;
  }

  private void connect(SocketChannel ch, Forward forward) {
    opener.apply(forward.peer(), forward.service()).whenComplete((session, failure) -> {
      if (failure != null) {
        LOG.info("forward {} → {}/{}: {}", forward.bind(), forward.peer().shortText(),
            forward.service(), failure.getMessage());
        ch.close();
      } else if (!ch.isActive()) {
        session.reset("the local connection closed before the session opened");
      } else {
        moveToLoopOf(session, ch);
      }
    });
  }

  /**
   * Re-registers the accepted connection on the session's loop before bridging, so that socket,
   * session and stream share one thread. Nothing has been read yet (auto-read is off).
   */
  private void moveToLoopOf(Session session, SocketChannel ch) {
    EventLoop loop = loops.member(session.executor());
    if (loop == null || loop == ch.eventLoop()) {
      TcpBridge.join(ch, session);
      return;
    }
    ch.deregister().addListener(deregistered -> {
      if (!deregistered.isSuccess()) {
        abandon(session, ch);
        return;
      }
      loop.register(ch).addListener(registered -> {
        if (registered.isSuccess() && ch.isActive()) {
          TcpBridge.join(ch, session);
        } else {
          abandon(session, ch);
        }
      });
    });
  }

  private static void abandon(Session session, SocketChannel ch) {
    session.reset("the local connection could not move to the session's thread");
    ch.close();
  }

  /** Stops listening on {@code port}; connections already bridged carry on. */
  CompletableFuture<Void> stop(int port) {
    Bound bound = byPort.remove(port);
    if (bound == null) {
      return CompletableFuture.failedFuture(new NoSuchElementException("no forward on port " + port));
    }
    CompletableFuture<Void> closed = new CompletableFuture<>();
    bound.server().close().addListener(f -> closed.complete(null));
    return closed;
  }

  List<Forward> all() {
    return byPort.values().stream().map(Bound::forward)
        .sorted((a, b) -> Integer.compare(a.bind().port(), b.bind().port())).toList();
  }
}
