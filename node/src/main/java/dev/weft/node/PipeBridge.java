package dev.weft.node;

import dev.weft.mux.Session;
import dev.weft.mux.SessionResetException;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Bridges one end of a {@link dev.weft.link.CarrierPipe} and a session: what carries a relayed
 * link's bytes. A pipe has no half-close, so either side ending ends both, gracefully: the pipe
 * closing half-closes the session after what was written (a link's last CLOSE message gets
 * through), and the session ending closes the pipe.
 */
final class PipeBridge extends ByteBridge {
  /** How long a session may take to end after its pipe closed before it is reset. */
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(10);

  private PipeBridge(Session session, Channel channel) {
    super(session, channel);
  }

  /** Call while {@code channel} is being set up, before any byte passes. */
  static void join(Channel channel, Session session) {
    SessionBridge.configure(channel);
    join(new PipeBridge(session, channel));
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    session.close();
    // Bounded: a peer that never finishes its direction does not keep the session.
    ctx.executor().schedule(() -> {
      if (!session.closeFuture().isDone()) {
        session.reset(closedEarly());
      }
    }, CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    ctx.fireChannelInactive();
  }

  @Override
  protected String closedEarly() {
    return "the relayed link closed and the session did not end within " + CLOSE_GRACE.toSeconds() + " s";
  }

  @Override
  public void onEnd(Session s) {
    // After what is still to be flushed: a link's last message (its CLOSE and reason) goes through.
    channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> channel.close());
  }

  @Override
  public void onReset(Session s, SessionResetException cause) {
    channel.close();
  }
}
