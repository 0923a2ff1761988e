package dev.weft.mux;

import java.util.EnumSet;
import java.util.Set;

/**
 * Life of a session, as this side sees it; {@link #canMoveTo} is the single table of allowed
 * transitions (docs/architecture.md draws it). The two half-closed states mean one direction
 * has <em>finished</em>: its Close was sent (or received) and every byte before it consumed (or
 * delivered). A move (MIGRATING, FAILING_OVER) pauses this side's writes; when it ends the
 * session settles back into whichever of OPEN or half-closed its two directions say.
 */
public enum SessionState {
  /** Query sent (or being decided), no answer yet. */
  OPENING(false),
  /** Both directions carry data. */
  OPEN(true),
  /** This side's direction finished; the peer's still carries data. */
  HALF_CLOSED_LOCAL(true),
  /** The peer's direction finished; this side's still carries data. */
  HALF_CLOSED_REMOTE(true),
  /** A marker migration this side asked for is under way: its writes wait for the answer. */
  MIGRATING(false),
  /** The session's stream died: it waits for another stream and the peer's Resume. */
  FAILING_OVER(false),
  /** Finished: both directions finished, or reset. */
  CLOSED(false);

  private final boolean steady;

  SessionState(boolean steady) {
    this.steady = steady;
  }

  /** On one stream with no move under way (OPEN or half-closed): it may send, and it may be moved. */
  public boolean steady() {
    return steady;
  }

  public boolean canMoveTo(SessionState next) {
    return allowed().contains(next);
  }

  private Set<SessionState> allowed() {
    return switch (this) {
      case OPENING -> EnumSet.of(OPEN, CLOSED);
      case OPEN -> EnumSet.of(HALF_CLOSED_LOCAL, HALF_CLOSED_REMOTE, MIGRATING, FAILING_OVER, CLOSED);
      case HALF_CLOSED_LOCAL, HALF_CLOSED_REMOTE -> EnumSet.of(MIGRATING, FAILING_OVER, CLOSED);
      case MIGRATING, FAILING_OVER -> EnumSet.of(OPEN, HALF_CLOSED_LOCAL, HALF_CLOSED_REMOTE, CLOSED);
      case CLOSED -> EnumSet.noneOf(SessionState.class);
    };
  }

  /** The steady state of a session whose directions finished as given (never both: that ends it). */
  static SessionState settled(boolean localFinished, boolean remoteFinished) {
    return localFinished ? HALF_CLOSED_LOCAL : remoteFinished ? HALF_CLOSED_REMOTE : OPEN;
  }
}
