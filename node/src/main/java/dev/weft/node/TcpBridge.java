package dev.weft.node;

import dev.weft.mux.Session;
import dev.weft.mux.SessionResetException;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;

/**
 * Bridges a TCP connection and a session: the socket's bytes are the session's, and half-close
 * (EOF on one side) ends only that direction.
 */
public final class TcpBridge extends ByteBridge {
  private TcpBridge(Session session, Channel channel) {
    super(session, channel);
  }

  /**
   * Starts piping. {@code channel} must have been set up by {@link #configure}; the bridge turns
   * reading on.
   */
  public static void join(Channel channel, Session session) {
    join(new TcpBridge(session, channel));
  }

  /** Options for a socket that will be bridged: reading waits for the session; half-close allowed. */
  public static void configure(SocketChannel channel) {
    channel.pipeline().addLast(EarlyInput.NAME, new EarlyInput());
    SessionBridge.configure(channel);
    channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof ChannelInputShutdownEvent) {
      session.close().whenComplete((ok, failure) -> closeWhenBothEnded());
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  protected String closedEarly() {
    return "the TCP connection closed before the session ended";
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
