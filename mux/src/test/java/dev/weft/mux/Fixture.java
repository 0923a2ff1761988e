package dev.weft.mux;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Two peers, A (high side) and B, joined by in-memory streams: Netty LocalChannel pairs on their
 * own event loops, each with a {@link Tap} that can make the path drop everything.
 */
final class Fixture implements AutoCloseable {
  static final long WAIT_SECONDS = 20;

  /** One stream between A and B. */
  record Link(long id, Channel client, Tap clientTap, Channel server, Tap serverTap) {
    /** Dies abruptly: whatever is in flight is lost, then both ends see the channel close. */
    void kill() {
      clientTap.drop();
      serverTap.drop();
      client.close();
      server.close();
    }

    /** Keeps the channel open but silently loses everything, both ways. */
    void blackhole() {
      clientTap.drop();
      serverTap.drop();
    }
  }

  final DefaultEventLoopGroup group = new DefaultEventLoopGroup(4);
  final Recorder aEvents = new Recorder();
  final Recorder bEvents = new Recorder();
  final SessionTable a;
  final SessionTable b;
  private final LocalAddress address = new LocalAddress("mux-" + ThreadLocalRandom.current().nextLong());
  private final AtomicLong nextId = new AtomicLong();
  private volatile Duration nextDelay = Duration.ZERO;
  private final Map<Long, CompletableFuture<Object[]>> accepted = new ConcurrentHashMap<>();
  private final Channel server;
  private final List<Channel> channels = new CopyOnWriteArrayList<>();

  Fixture(MuxConfig config, Acceptor acceptorA, Acceptor acceptorB) throws InterruptedException {
    a = new SessionTable(group.next(), true, config, acceptorA, aEvents);
    b = new SessionTable(group.next(), false, config, acceptorB, bEvents);
    server = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
        .childHandler(new ChannelInitializer<LocalChannel>() {
          @Override
          protected void initChannel(LocalChannel ch) {
            Tap tap = new Tap();
            tap.delay(nextDelay);
            ch.pipeline().addLast(tap);
            long id = nextId.get();
            b.attach(ch, id, reason -> ch.close());
            channels.add(ch);
            accepted.computeIfAbsent(id, k -> new CompletableFuture<>()).complete(new Object[] {ch, tap});
          }
        })
        .bind(address).sync().channel();
  }

  Fixture(MuxConfig config, Acceptor acceptorB) throws InterruptedException {
    this(config, Acceptor.NONE, acceptorB);
  }

  /** A new stream, ready at both ends. */
  Link link() throws Exception {
    return link(Duration.ZERO);
  }

  /** A new stream on which everything takes {@code oneWay} to arrive, from the first Hello and Ping. */
  Link link(Duration oneWay) throws Exception {
    long id = ThreadLocalRandom.current().nextLong() | 1;
    nextId.set(id);
    nextDelay = oneWay;
    Tap tap = new Tap();
    tap.delay(oneWay);
    Channel client = new Bootstrap().group(group).channel(LocalChannel.class)
        .handler(new ChannelInitializer<LocalChannel>() {
          @Override
          protected void initChannel(LocalChannel ch) {
            ch.pipeline().addLast(tap);
            a.attach(ch, id, reason -> ch.close());
            channels.add(ch);
          }
        })
        .connect(address).sync().channel();
    Object[] serverSide = accepted.computeIfAbsent(id, k -> new CompletableFuture<>()).get(WAIT_SECONDS, TimeUnit.SECONDS);
    aEvents.attached(id).get(WAIT_SECONDS, TimeUnit.SECONDS);
    bEvents.attached(id).get(WAIT_SECONDS, TimeUnit.SECONDS);
    return new Link(id, client, tap, (Channel) serverSide[0], (Tap) serverSide[1]);
  }

  static <T> T await(CompletableFuture<T> future) throws Exception {
    return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    a.close().get(WAIT_SECONDS, TimeUnit.SECONDS);
    b.close().get(WAIT_SECONDS, TimeUnit.SECONDS);
    for (Channel ch : channels) {
      ch.close().sync();
    }
    server.close().sync();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }
}
