package dev.weft.node;

import dev.weft.mux.Session;
import dev.weft.mux.SessionHandler;
import io.netty.buffer.ByteBuf;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins a socket and a session into one pipe, each direction with backpressure: the socket stops
 * reading while the session's send buffer is full, and the session pauses (grants no credit)
 * while the socket is not writable. Subclasses say how bytes are framed on the socket and how
 * each end's close shows on the other ({@link TcpBridge}: plain bytes and half-close).
 */
public abstract class SessionBridge extends ChannelInboundHandlerAdapter implements SessionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(SessionBridge.class);
  /**
   * Writability of a bridged socket flips at these many queued bytes: room for a few link messages'
   * worth of data, so a fast session is not paused for every write.
   */
  private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);
  /** Receive buffer of a bridged socket: a few loop turns' worth at gigabytes per second. */
  private static final int RECEIVE_BUFFER = 256 * 1024;
  /**
   * Read sizing; its per-socket state lives in each channel's handle, so one instance serves all.
   * Up to 16 reads per loop turn, what a socket channel's own allocator is given.
   */
  private static final RecvByteBufAllocator READ_SIZES = new AdaptiveRecvByteBufAllocator().maxMessagesPerRead(16);
  protected final Session session;
  protected final Channel channel;
  private final Runnable flush = this::flush;
  private boolean flushScheduled;
  /** Socket → session writes whose futures have not completed; on the channel's loop. */
  private int waitingWrites;

  protected SessionBridge(Session session, Channel channel) {
    this.session = session;
    this.channel = channel;
  }

  /**
   * Starts piping. The bridge's channel must have auto-read off (see {@link #configure}); the
   * bridge turns reading on.
   */
  protected static void join(SessionBridge bridge) {
    Channel channel = bridge.channel;
    channel.pipeline().addLast("bridge", bridge);
    bridge.session.handler(bridge); // a reset, even one before this, reaches the bridge (onReset)
    if (channel.pipeline().get(EarlyInput.NAME) != null) {
      channel.pipeline().remove(EarlyInput.NAME); // hands what came early to the bridge
    }
    channel.config().setAutoRead(true);
  }

  /** Options for a socket that will be bridged: reading waits for the session. */
  public static void configure(Channel channel) {
    channel.config().setAutoRead(false);
    channel.config().setOption(ChannelOption.TCP_NODELAY, true);
    // A fixed receive buffer (no kernel autotuning, which goes to tcp_rmem's 32 MiB): a session
    // reads only as fast as its peer grants credit, and a thousand such sockets each holding
    // megabytes, plus their senders' send queues, put the kernel's TCP memory under pressure;
    // it then drops segments of the link's own stream, which stalls on retransmission timeouts.
    channel.config().setOption(ChannelOption.SO_RCVBUF, RECEIVE_BUFFER);
    channel.config().setWriteBufferWaterMark(WATER_MARK);
    channel.config().setRecvByteBufAllocator(READ_SIZES); // not one more object per idle socket
  }

  // ---- socket → session ----

  /**
   * Passes bytes read from the socket to the session (which owns them from now on). Reading
   * resumes only once every write still waiting for room has it: resuming on the first of
   * several would let the socket run ahead of the session until its write queue overflows.
   */
  protected final void toSession(ByteBuf data) {
    CompletableFuture<Void> written = session.write(data);
    if (written.isDone() && !written.isCompletedExceptionally()) {
      return;
    }
    waitingWrites++;
    channel.config().setAutoRead(false);
    written.whenComplete((ok, failure) -> onLoop(() -> {
      waitingWrites--;
      if (failure != null) {
        LOG.debug("{}: write failed, closing its connection", session, failure);
        writeFailed(failure);
      } else if (waitingWrites == 0) {
        channel.config().setAutoRead(true);
      }
    }));
  }

  /** The session refused bytes the socket sent (it ended, or its queue overflowed). */
  protected abstract void writeFailed(Throwable failure);

  protected final void onLoop(Runnable task) {
    if (channel.eventLoop().inEventLoop()) {
      task.run();
    } else {
      channel.eventLoop().execute(task);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!session.closeFuture().isDone()) {
      session.reset(closedEarly());
    }
    ctx.fireChannelInactive();
  }

  /** The reset message when the socket closes before the session ended. */
  protected abstract String closedEarly();

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("{}: bridged connection failed", session, cause);
    ctx.close();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      session.resume();
    }
    ctx.fireChannelWritabilityChanged();
  }

  // ---- session → socket (on the peer's executor) ----

  @Override
  public final void onData(Session s, ByteBuf data) {
    Object message = frame(data);
    if (channel.eventLoop().inEventLoop()) {
      // One flush (one syscall) for everything delivered in this run of the loop, not one per chunk.
      channel.write(message, channel.voidPromise());
      if (!flushScheduled) {
        flushScheduled = true;
        channel.eventLoop().execute(flush);
      }
    } else {
      channel.writeAndFlush(message, channel.voidPromise());
    }
    if (!channel.isWritable()) {
      session.pause();
      // Writability may have come back before the pause took effect: check again on the loop.
      channel.eventLoop().execute(() -> {
        if (channel.isWritable()) {
          session.resume();
        }
      });
    }
  }

  /** What carries {@code data} (owned by the result) on the socket. */
  protected abstract Object frame(ByteBuf data);

  private void flush() {
    flushScheduled = false;
    channel.flush();
  }
}
