package dev.weft.link;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Two in-memory channels joined back to back on one event loop: what one end writes, the other
 * reads. A link runs on one end while whatever carries its bytes some other way (a session through
 * a relay) is bridged to the other; a relay joins two such carriers with one pipe.
 */
public final class CarrierPipe {
  private CarrierPipe() {}

  /**
   * Makes a pipe on {@code loop}: {@code near} and {@code far} set up each end as it is registered,
   * {@code far} first, both before any byte passes. Completes once both ends are active.
   */
  public static CompletableFuture<Void> open(EventLoop loop, Consumer<Channel> near, Consumer<Channel> far) {
    CompletableFuture<Void> result = new CompletableFuture<>();
    LocalAddress address = new LocalAddress(CarrierPipe.class);
    ChannelFuture bound = new ServerBootstrap().group(loop).channel(LocalServerChannel.class)
        .childHandler(initializer(far))
        .bind(address);
    bound.addListener(b -> {
      if (!b.isSuccess()) {
        result.completeExceptionally(b.cause());
        return;
      }
      new Bootstrap().group(loop).channel(LocalChannel.class).handler(initializer(near))
          .connect(address).addListener(c -> {
            bound.channel().close(); // one pipe per address: the server's work is done
            if (c.isSuccess()) {
              result.complete(null);
            } else {
              result.completeExceptionally(c.cause());
            }
          });
    });
    return result;
  }

  private static ChannelInitializer<Channel> initializer(Consumer<Channel> setUp) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        setUp.accept(ch);
      }
    };
  }
}
