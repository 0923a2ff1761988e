package dev.weft.mux;

import java.time.Duration;

/**
 * Events of one peer's session table, called on the table's executor; keep them quick. Every
 * method has an empty default, so a listener implements only what it needs.
 */
public interface PeerListener {
  /** A stream became ready (the peer's Hello arrived). */
  default void streamAttached(StreamStats stream) {}

  default void streamDetached(long streamId, String reason) {}

  /**
   * A stream became suspect ({@code stream.suspect()}: the peer owed an answer and was silent for
   * {@code silence}, several probe timeouts) or answered again (silence zero).
   */
  default void streamSuspicion(StreamStats stream, Duration silence) {}

  default void sessionOpened(Session session) {}

  default void sessionRejected(SessionId id, String service, Reason reason, Direction direction) {}

  /**
   * This side refused the peer's Query because one of its own limits was reached ({@code why}
   * says which); {@link #sessionRejected} follows with {@link Reason#LIMIT_REACHED}.
   */
  default void sessionRefused(SessionId id, String service, String why) {}

  /** Both directions finished cleanly. */
  default void sessionClosed(Session session) {}

  default void sessionReset(Session session, SessionResetException cause) {}

  default void migrationStarted(Session session, long fromStream, long toStream) {}

  /** {@code pause} is how long this side held the session's writes. */
  default void migrationDone(Session session, long fromStream, long toStream, Duration pause) {}

  default void migrationFailed(Session session, long fromStream, long toStream, String why) {}

  /** The session's stream died; it waits for another one within the grace period. */
  default void failoverStarted(Session session, long fromStream, String why) {}

  /**
   * The failing-over session's Resume went unanswered on every ready stream, or there is none:
   * only a new stream can carry it (the ones left may be dead without this side knowing yet).
   */
  default void resumeStranded(Session session) {}

  /** The session resumed on {@code toStream}; {@code took} runs from the failure to the resume. */
  default void failoverDone(Session session, long toStream, Duration took) {}

  PeerListener NONE = new PeerListener() {};
}
