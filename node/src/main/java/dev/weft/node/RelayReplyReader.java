package dev.weft.node;

import dev.weft.mux.Session;
import dev.weft.mux.SessionHandler;
import dev.weft.mux.SessionResetException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.CompletableFuture;

/**
 * Reads the relay's reply at the start of a RESERVE or CONNECT session. Completes with an OK reply,
 * or fails with {@link RelayRefusedException} (or the session's end). Nothing may follow an OK
 * before this side speaks: bytes that do are a protocol error and reset the session.
 */
final class RelayReplyReader implements SessionHandler {
  private final boolean reserve;
  private final CompletableFuture<RelayReply> reply = new CompletableFuture<>();
  /** At most one reply's bytes (2 + 255), so a relay cannot make it grow. */
  private final ByteBuf received = Unpooled.buffer(8, 2 + RelayReply.MAX_REASON);

  private RelayReplyReader(boolean reserve) {
    this.reserve = reserve;
  }

  /** Starts reading {@code session}'s reply. */
  static CompletableFuture<RelayReply> read(Session session, boolean reserve) {
    RelayReplyReader reader = new RelayReplyReader(reserve);
    session.handler(reader);
    return reader.reply;
  }

  @Override
  public void onData(Session session, ByteBuf data) {
    try {
      if (reply.isDone() || received.refCnt() == 0 || data.readableBytes() > received.maxWritableBytes()) {
        fail(session, "the relay sent more than its reply");
        return;
      }
      received.writeBytes(data);
      RelayReply.decode(received, reserve).ifPresent(r -> {
        if (received.isReadable()) {
          fail(session, "the relay sent more than its reply");
        } else if (r.ok()) {
          reply.complete(r);
        } else {
          reply.completeExceptionally(new RelayRefusedException(r));
        }
        release();
      });
    } catch (IllegalArgumentException e) {
      fail(session, e.getMessage());
    } finally {
      data.release();
    }
  }

  private void fail(Session session, String why) {
    session.reset(why);
    reply.completeExceptionally(new IllegalStateException(why));
    release();
  }

  @Override
  public void onEnd(Session session) {
    reply.completeExceptionally(new IllegalStateException("the relay ended the session without a reply"));
    release();
  }

  @Override
  public void onReset(Session session, SessionResetException cause) {
    reply.completeExceptionally(cause);
    release();
  }

  /** Once the reply is read or the session ended, whichever comes first. */
  private void release() {
    if (received.refCnt() > 0) {
      received.release();
    }
  }
}
