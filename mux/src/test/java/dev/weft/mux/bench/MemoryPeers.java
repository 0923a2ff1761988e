package dev.weft.mux.bench;

import dev.weft.mux.Acceptance;
import dev.weft.mux.Acceptor;
import dev.weft.mux.MuxConfig;
import dev.weft.mux.SessionTable;
import dev.weft.mux.PeerListener;
import dev.weft.mux.Session;
import dev.weft.mux.StreamStats;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** Two peers joined by in-memory streams (LocalChannel), for benchmarks. */
final class MemoryPeers implements AutoCloseable {
  /** One stream: its id and the two channel ends. */
  record Link(long id, Channel client, Channel server) {
    void kill() {
      client.close();
      server.close();
    }
  }

  /** Accepts "discard": consumes and drops everything. */
  static final Acceptor DISCARD = q -> Acceptance.accept(s -> s.handler((session, data) -> data.release()));

  final DefaultEventLoopGroup group = new DefaultEventLoopGroup(4);
  final SessionTable sender;
  final SessionTable receiver;
  private final Map<Long, CompletableFuture<Channel>> accepted = new ConcurrentHashMap<>();
  private final Map<Long, CompletableFuture<Void>> ready = new ConcurrentHashMap<>();
  private final AtomicLong nextId = new AtomicLong();
  private final LocalAddress address = new LocalAddress("bench-" + System.nanoTime());
  private final Channel server;
  private final List<Link> links = new CopyOnWriteArrayList<>();

  /** {@code events} also sees the sender's events; it may be {@link PeerListener#NONE}. */
  MemoryPeers(MuxConfig config, Acceptor acceptor, PeerListener events) throws InterruptedException {
    PeerListener readiness = new PeerListener() {
      @Override
      public void streamAttached(StreamStats stream) {
        ready(stream.id()).complete(null);
        events.streamAttached(stream);
      }

      @Override
      public void failoverDone(Session session, long toStream, Duration took) {
        events.failoverDone(session, toStream, took);
      }
    };
    sender = new SessionTable(group.next(), true, config, Acceptor.NONE, readiness);
    receiver = new SessionTable(group.next(), false, config, acceptor, PeerListener.NONE);
    server = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
        .childHandler(new ChannelInitializer<LocalChannel>() {
          @Override
          protected void initChannel(LocalChannel ch) {
            long id = nextId.get();
            receiver.attach(ch, id, reason -> ch.close());
            accepted.computeIfAbsent(id, k -> new CompletableFuture<>()).complete(ch);
          }
        }).bind(address).sync().channel();
  }

  private CompletableFuture<Void> ready(long id) {
    return ready.computeIfAbsent(id, k -> new CompletableFuture<>());
  }

  Link link() throws Exception {
    long id = nextId.incrementAndGet();
    Channel client = new Bootstrap().group(group).channel(LocalChannel.class)
        .handler(new ChannelInitializer<LocalChannel>() {
          @Override
          protected void initChannel(LocalChannel ch) {
            sender.attach(ch, id, reason -> ch.close());
          }
        }).connect(address).sync().channel();
    Channel serverSide = accepted.computeIfAbsent(id, k -> new CompletableFuture<>()).get(10, TimeUnit.SECONDS);
    ready(id).get(10, TimeUnit.SECONDS);
    Link link = new Link(id, client, serverSide);
    links.add(link);
    return link;
  }

  /** Keeps {@code session} busy with 64 KiB writes, each issued when the last is accepted, until the flag clears. */
  static void load(Session session, ByteBuf block, AtomicBoolean running) {
    if (running.get()) {
      session.write(block.retainedDuplicate()).whenComplete((v, e) -> {
        if (e == null) {
          load(session, block, running);
        }
      });
    }
  }

  @Override
  public void close() throws Exception {
    sender.close().get(10, TimeUnit.SECONDS);
    receiver.close().get(10, TimeUnit.SECONDS);
    for (Link link : links) {
      link.client().close().sync();
      link.server().close().sync();
    }
    server.close().sync();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }
}
