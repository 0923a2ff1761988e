package dev.weft.mux;

import java.io.IOException;

/** A session was reset: by the peer, by this side, or because its stream was lost. */
public final class SessionResetException extends IOException {
  private final SessionId session;
  private final Reason reason;
  private final boolean byPeer;
  private final String detail;

  public SessionResetException(SessionId session, Reason reason, String message, boolean byPeer) {
    super("session " + session + " reset " + (byPeer ? "by peer" : "locally") + " (" + reason + "): " + message);
    this.session = session;
    this.reason = reason;
    this.byPeer = byPeer;
    this.detail = message;
  }

  /** The message the resetting side gave, without the session and reason around it. */
  public String detail() {
    return detail;
  }

  public SessionId session() {
    return session;
  }

  public Reason reason() {
    return reason;
  }

  public boolean byPeer() {
    return byPeer;
  }
}
