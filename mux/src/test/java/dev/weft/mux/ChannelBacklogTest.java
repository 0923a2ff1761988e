package dev.weft.mux;

import static dev.weft.mux.Fixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.PendingWriteQueue;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A bulk session on a channel that drains slower than the mux writes (a KCP stream whose window
 * is full): what waits in the channel stays near its high-water mark, not a pump run's worth of
 * chunks (64 × 64 KiB), which went past {@link MuxStream#MAX_UNREAD} and closed the stream.
 */
@Timeout(60)
class ChannelBacklogTest {
  private static final int CHUNK = 64 * 1024;

  @Test
  void aSlowChannelHoldsLittleMoreThanItsHighWaterMark() throws Exception {
    Services services = new Services();
    try (Fixture f = new Fixture(MuxConfig.defaults().withFrames(CHUNK, CHUNK), services)) {
      Fixture.Link link = f.link();
      Drain drain = new Drain(256 * 1024);
      link.client().pipeline().addFirst(drain);
      long size = 16L << 20;
      Session session = await(f.a.open("sink", Services.args(7, 0)));
      new PatternWriter(session, 7, size, CHUNK).start();
      await(services.accepted(session.id()));
      assertEquals(size, await(services.sinks.get(session.id()).done));
      long most = link.client().eventLoop().submit(() -> drain.mostHeld).get(Fixture.WAIT_SECONDS, TimeUnit.SECONDS);
      long highWater = link.client().config().getWriteBufferHighWaterMark();
      assertTrue(most <= highWater + 4L * CHUNK, "held " + most + " bytes, high-water mark " + highWater);
    }
  }

  /** Lets a fixed number of bytes through per millisecond and holds the rest where the channel counts them. */
  private static final class Drain extends ChannelOutboundHandlerAdapter {
    private final int bytesPerTick;
    private PendingWriteQueue held;
    private ScheduledFuture<?> clock;
    private long mostHeld;

    Drain(int bytesPerTick) {
      this.bytesPerTick = bytesPerTick;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      held = new PendingWriteQueue(ctx);
      clock = ctx.executor().scheduleAtFixedRate(() -> release(ctx), 1, 1, TimeUnit.MILLISECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      clock.cancel(false);
      held.removeAndFailAll(new ClosedChannelException());
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      held.add(msg, promise);
      mostHeld = Math.max(mostHeld, held.bytes());
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
      // released on the drain's own clock
    }

    private void release(ChannelHandlerContext ctx) {
      int budget = bytesPerTick;
      while (budget > 0 && !held.isEmpty()) {
        budget -= ((ByteBuf) held.current()).readableBytes();
        held.removeAndWrite();
      }
      ctx.flush();
    }
  }
}
