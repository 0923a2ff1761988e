package dev.weft.mux;

/** Which side opened a session. */
public enum Direction {
  /** Opened by this node. */
  OUTBOUND,
  /** Opened by the peer. */
  INBOUND
}
