package dev.weft.node;

import dev.weft.mux.Session;
import dev.weft.mux.SessionHandler;
import dev.weft.mux.SessionResetException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins a TCP connection and a session into one pipe, each direction with backpressure (the
 * socket stops reading while the session's send buffer is full; the session pauses while the
 * socket is not writable) and half-close (EOF on one side ends only that direction).
 */
public final class TcpBridge extends ChannelInboundHandlerAdapter implements SessionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(TcpBridge.class);
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
  private final Session session;
  private final Channel channel;
  private final Runnable flush = this::flush;
  private boolean flushScheduled;
  /** Socket → session writes whose futures have not completed; on the channel's loop. */
  private int waitingWrites;

  private TcpBridge(Session session, Channel channel) {
    this.session = session;
    this.channel = channel;
  }

  /**
   * Starts piping. {@code channel} must have been opened with auto-read off and half-closure
   * allowed; the bridge turns reading on.
   */
  public static void join(Channel channel, Session session) {
    TcpBridge bridge = new TcpBridge(session, channel);
    channel.pipeline().addLast("bridge", bridge);
    session.handler(bridge); // a reset, even one before this, closes the socket (onReset)
    if (channel.pipeline().get(EarlyInput.NAME) != null) {
      channel.pipeline().remove(EarlyInput.NAME); // hands what came early to the bridge
    }
    channel.config().setAutoRead(true);
  }

  /** Options for a socket that will be bridged: reading waits for the session. */
  public static void configure(SocketChannel channel) {
    channel.pipeline().addLast(EarlyInput.NAME, new EarlyInput());
    channel.config().setAutoRead(false);
    channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
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

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf data)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    CompletableFuture<Void> written = session.write(data);
    if (written.isDone() && !written.isCompletedExceptionally()) {
      return;
    }
    // Reading resumes only once every write still waiting for room has it: resuming on the first
    // of several would let the socket run ahead of the session until its write queue overflows.
    waitingWrites++;
    channel.config().setAutoRead(false);
    written.whenComplete((ok, failure) -> onLoop(() -> {
      waitingWrites--;
      if (failure != null) {
        LOG.debug("{}: write failed, closing its connection", session, failure);
        channel.close();
      } else if (waitingWrites == 0) {
        channel.config().setAutoRead(true);
      }
    }));
  }

  private void onLoop(Runnable task) {
    if (channel.eventLoop().inEventLoop()) {
      task.run();
    } else {
      channel.eventLoop().execute(task);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof ChannelInputShutdownEvent) {
      session.close().whenComplete((ok, failure) -> closeWhenBothEnded());
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!session.closeFuture().isDone()) {
      session.reset("the TCP connection closed before the session ended");
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("{}: TCP connection failed", session, cause);
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
  public void onData(Session s, ByteBuf data) {
    if (channel.eventLoop().inEventLoop()) {
      // One flush (one syscall) for everything delivered in this run of the loop, not one per chunk.
      channel.write(data, channel.voidPromise());
      if (!flushScheduled) {
        flushScheduled = true;
        channel.eventLoop().execute(flush);
      }
    } else {
      channel.writeAndFlush(data, channel.voidPromise());
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

  private void flush() {
    flushScheduled = false;
    channel.flush();
  }

  @Override
  public void onEnd(Session s) {
    // shutdownOutput fails writes still queued, so wait for the last one to leave.
    channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
      if (f.isSuccess() && channel instanceof SocketChannel socket) {
        socket.shutdownOutput().addListener(done -> closeWhenBothEnded());
      }
    });
  }

  @Override
  public void onReset(Session s, SessionResetException cause) {
    channel.close();
  }

  private void closeWhenBothEnded() {
    if (channel instanceof SocketChannel socket && socket.isInputShutdown()
        && socket.isOutputShutdown()) {
      channel.close();
    }
  }
}
