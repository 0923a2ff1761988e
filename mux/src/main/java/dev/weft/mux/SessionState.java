package dev.weft.mux;

import java.util.EnumSet;
import java.util.Set;

/** Life of a session; {@link #canMoveTo} is the single table of allowed transitions. */
public enum SessionState {
  /** Query sent (or being decided), no answer yet. */
  OPENING,
  /** Data flows. */
  OPEN,
  /** Writes paused while the session moves to another stream (migration or failover). */
  MIGRATING,
  /** Finished: both directions closed, or reset. */
  CLOSED;

  public boolean canMoveTo(SessionState next) {
    return allowed().contains(next);
  }

  private Set<SessionState> allowed() {
    return switch (this) {
      case OPENING -> EnumSet.of(OPEN, CLOSED);
      case OPEN -> EnumSet.of(MIGRATING, CLOSED);
      case MIGRATING -> EnumSet.of(OPEN, CLOSED);
      case CLOSED -> EnumSet.noneOf(SessionState.class);
    };
  }
}
