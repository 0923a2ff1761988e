package dev.weft.mux;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A peer that attaches a stream and never says Hello, dribbling a byte now and then (never a
 * whole frame), cannot hold the stream: the ping timeout runs from attach.
 */
@Timeout(30)
class SilentStreamTest {
  @Test
  void aStreamWithoutHelloIsClosedAfterThePingTimeout() throws Exception {
    DefaultEventLoopGroup group = new DefaultEventLoopGroup(2);
    Recorder events = new Recorder();
    MuxConfig config = MuxConfig.defaults().withPing(Duration.ofMillis(100), Duration.ofMillis(400));
    SessionTable table = new SessionTable(group.next(), false, config, Acceptor.NONE, events);
    try {
      LocalAddress address = new LocalAddress("silent-" + ThreadLocalRandom.current().nextLong());
      new ServerBootstrap().group(group).channel(LocalServerChannel.class)
          .childHandler(new ChannelInitializer<LocalChannel>() {
            @Override
            protected void initChannel(LocalChannel ch) {
              table.attach(ch, 7, reason -> ch.close());
            }
          }).bind(address).sync();
      Channel raw = new Bootstrap().group(group).channel(LocalChannel.class)
          .handler(new ChannelInboundHandlerAdapter()).connect(address).sync().channel();
      ScheduledFuture<?> dribble = raw.eventLoop().scheduleAtFixedRate(
          () -> raw.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {0})), 0, 100, TimeUnit.MILLISECONDS);
      String reason = Fixture.await(events.detached(7));
      dribble.cancel(false);
      assertTrue(reason.contains("no mux Hello within 400 ms"), reason);
      assertTrue(raw.closeFuture().await(10, TimeUnit.SECONDS), "the silent peer's channel closed");
    } finally {
      Fixture.await(table.close());
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }
}
