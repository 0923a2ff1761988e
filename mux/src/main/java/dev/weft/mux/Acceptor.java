package dev.weft.mux;

/** Decides, on the table's executor, whether to accept each session the peer opens. */
@FunctionalInterface
public interface Acceptor {
  Acceptance decide(IncomingQuery query);

  /** Refuses every session with NO_SUCH_SERVICE. */
  Acceptor NONE = query -> Acceptance.reject(Reason.NO_SUCH_SERVICE);
}
