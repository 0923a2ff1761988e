package dev.weft.mux;

/**
 * What all peers of one node share (after go-libp2p's resource manager, where each peer's scope
 * sits inside the node's): sessions, receive-window memory and unacknowledged send data. Each is a
 * {@link SharedLimit}, so no peer takes more than its share while others need room. One instance
 * serves every peer's {@link SessionTable}.
 */
public record NodeScope(SharedLimit sessions, SharedLimit receiveMemory, SharedLimit sendMemory) {

  /** {@code sessions} sessions, and {@code memory} bytes each of receive windows and of unacknowledged sends. */
  public static NodeScope of(int sessions, long memory) {
    return new NodeScope(new SharedLimit(sessions), new SharedLimit(memory), new SharedLimit(memory));
  }

  public static NodeScope unlimited() {
    return new NodeScope(SharedLimit.unlimited(), SharedLimit.unlimited(), SharedLimit.unlimited());
  }
}
