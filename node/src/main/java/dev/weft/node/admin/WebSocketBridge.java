package dev.weft.node.admin;

import dev.weft.mux.Reason;
import dev.weft.mux.Session;
import dev.weft.mux.SessionResetException;
import dev.weft.node.SessionBridge;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * Bridges a WebSocket and a session: binary messages carry the session's bytes both ways. The
 * client's Close half-closes the session's sending side; the service finishing its side sends a
 * Close (1000); a reset sends a Close with {@code 4000 + } the reset's reason code and its text.
 * The socket closes once both Closes went, or on a reset. Codes are listed in docs/admin-api.md.
 */
final class WebSocketBridge extends SessionBridge {
  static final int NORMAL = 1000;
  static final int UNSUPPORTED_DATA = 1003;
  static final int INTERNAL_ERROR = 1011;
  /** A reset's close code is this plus its {@link Reason#code()}. */
  static final int RESET_BASE = 4000;
  /** A Close frame's payload is at most 125 bytes, two of them the code. */
  private static final int MAX_REASON_BYTES = 123;

  /** A Close went out (only on the channel's loop); nothing may follow it. */
  private ChannelFuture closeSent;
  private boolean closeReceived;
  /** The service finished sending: with the client's Close, both directions ended cleanly. */
  private boolean serviceEnded;

  private WebSocketBridge(Session session, Channel channel) {
    super(session, channel);
  }

  /** Starts piping on a channel whose WebSocket handshake is done and whose reading is off. */
  static void join(Channel channel, Session session) {
    join(new WebSocketBridge(session, channel));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if ((msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame)
        && !closeReceived) {
      toSession(((ByteBufHolder) msg).content());
      return;
    }
    try {
      if (msg instanceof PingWebSocketFrame ping && closeSent == null) {
        ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
      } else if (msg instanceof CloseWebSocketFrame && !closeReceived) {
        closeReceived = true;
        session.close();
        closeWhenBothEnded();
      } else if (msg instanceof TextWebSocketFrame) {
        close(UNSUPPORTED_DATA, "only binary messages carry session bytes")
            .addListener(ChannelFutureListener.CLOSE);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  protected void writeFailed(Throwable failure) {
    close(INTERNAL_ERROR, "the session refused the data: " + failure.getMessage())
        .addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * Once both Closes went, the socket has nothing left to carry: it may close (either end may
   * close it) while the session still delivers the client's last bytes, and ends normally.
   */
  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (closeReceived && serviceEnded) {
      ctx.fireChannelInactive();
    } else {
      super.channelInactive(ctx);
    }
  }

  private void closeWhenBothEnded() {
    if (closeReceived && serviceEnded) {
      closeSent.addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  protected String closedEarly() {
    return "the WebSocket closed before the session ended";
  }

  @Override
  protected Object frame(ByteBuf data) {
    return new BinaryWebSocketFrame(data);
  }

  /** After the data delivered before it: the loop runs tasks in order. */
  @Override
  public void onEnd(Session s) {
    onLoop(() -> {
      serviceEnded = true;
      close(NORMAL, "the service finished sending");
      closeWhenBothEnded();
    });
  }

  @Override
  public void onReset(Session s, SessionResetException cause) {
    onLoop(() -> close(RESET_BASE + cause.reason().code(), cause.detail())
        .addListener(ChannelFutureListener.CLOSE));
  }

  /** Sends the Close, or returns the one already sent. */
  private ChannelFuture close(int code, String reason) {
    if (closeSent == null) {
      closeSent = channel.writeAndFlush(new CloseWebSocketFrame(code, clip(reason)));
    }
    return closeSent;
  }

  /** {@code text} cut to what a Close frame holds, at a character boundary. */
  static String clip(String text) {
    if (text.getBytes(StandardCharsets.UTF_8).length <= MAX_REASON_BYTES) {
      return text;
    }
    int end = 0;
    int bytes = 0;
    while (end < text.length()) {
      int next = text.offsetByCodePoints(end, 1);
      bytes += text.substring(end, next).getBytes(StandardCharsets.UTF_8).length;
      if (bytes > MAX_REASON_BYTES) {
        break;
      }
      end = next;
    }
    return text.substring(0, end);
  }
}
