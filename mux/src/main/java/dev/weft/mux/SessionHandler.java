package dev.weft.mux;

import io.netty.buffer.ByteBuf;

/**
 * Receives one session's events, always on the table's executor: never block in these methods
 * (pause the session instead). Data counts as consumed, and so earns the peer more credit, when
 * {@link #onData} returns.
 */
public interface SessionHandler {
  /** Next bytes in order; the handler owns {@code data} and must release it. */
  void onData(Session session, ByteBuf data);

  /** The peer half-closed: no more data will arrive. The session may still write. */
  default void onEnd(Session session) {}

  /** The session was reset, by either side; nothing more will arrive or be sent. */
  default void onReset(Session session, SessionResetException cause) {}
}
