package dev.weft.node;

import dev.weft.identity.Identity;
import dev.weft.mux.Session;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One relayed stream at the relay: a pipe whose two ends are bridged to the two sessions, closed
 * when it has carried its byte limit or lasted its time (closing one end closes both).
 *
 * <p>An in-memory pipe takes every write at once, so the relay bounds what waits in it itself: a
 * session whose bytes the other end has not taken beyond {@link Flow#HIGH} is paused (it grants
 * its sender no credit) until they drain below {@link Flow#LOW}. Without it a pair of peers could
 * make the relay queue whatever the receiving one's windows let through.
 */
final class RelayCircuit {
  private static final Logger LOG = LoggerFactory.getLogger(RelayCircuit.class);

  /** Bytes a session has written into its end of the pipe that the other end has not read. */
  private static final class Flow {
    static final long HIGH = 256 * 1024;
    static final long LOW = 64 * 1024;
    private final Session session;
    private final AtomicLong queued = new AtomicLong();
    private final AtomicBoolean paused = new AtomicBoolean();

    Flow(Session session) {
      this.session = session;
    }

    void written(int bytes) {
      // Every write above the mark pauses again: the bridge resumes a session when its end turns writable.
      if (queued.addAndGet(bytes) > HIGH) {
        paused.set(true);
        session.pause();
      }
    }

    void read(int bytes) {
      if (queued.addAndGet(-bytes) < LOW) {
        release();
      }
    }

    /** Resumes the session if this paused it: also once the pipe closed, so that it can end. */
    void release() {
      if (paused.compareAndSet(true, false)) {
        session.resume();
      }
    }
  }

  private final RelayLimits limits;
  private final String name;
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  /** Each end's outgoing flow, by end. */
  private final Flow[] flows = new Flow[2];
  /** Bytes both ways; both ends run on the pipe's one loop. */
  private long bytes;

  RelayCircuit(RelayLimits limits, Identity source, Identity target) {
    this.limits = limits;
    this.name = source.shortText() + " -> " + target.shortText();
  }

  /** Sets up end {@code index} (0 or 1) of the pipe, bridged to {@code session}. */
  void end(int index, Channel channel, Session session) {
    Flow out = new Flow(session);
    flows[index] = out;
    channel.pipeline().addLast("meter", new ChannelDuplexHandler() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        int length = ((ByteBuf) msg).readableBytes();
        flows[1 - index].read(length);
        bytes += length;
        if (bytes > limits.bytesPerStream()) {
          ((ByteBuf) msg).release();
          cut(ctx.channel(), "carried its " + limits.bytesPerStream() + " bytes");
          return;
        }
        ctx.fireChannelRead(msg);
      }

      @Override
      public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        out.written(((ByteBuf) msg).readableBytes());
        ctx.write(msg, promise);
      }
    });
    PipeBridge.join(channel, session);
    long millis = limits.streamDuration().toMillis();
    ScheduledFuture<?> timer = channel.eventLoop().schedule(
        () -> cut(channel, "lasted " + limits.streamDuration()), millis, TimeUnit.MILLISECONDS);
    channel.closeFuture().addListener(f -> {
      timer.cancel(false);
      out.release();
      closed.complete(null);
    });
  }

  private void cut(Channel channel, String why) {
    if (channel.isOpen()) {
      LOG.info("relayed stream {} closed: {}", name, why);
      channel.close();
    }
  }

  /** Completes once the pipe has closed. */
  CompletableFuture<Void> closed() {
    return closed;
  }
}
