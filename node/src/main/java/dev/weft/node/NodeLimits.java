package dev.weft.node;

/**
 * What one node lets the network make it hold, after go-libp2p's resource manager (a scope per
 * peer inside a scope for the node) and WireGuard's handshake rate limiting. The mux adds its
 * per-peer limits from {@link NodeConfig#mux()}: sessions per peer and per stream, pending opens
 * and the per-peer memory budget. docs/security.md explains each default.
 *
 * @param pendingHandshakes inbound handshakes in progress on all listeners
 * @param handshakesPerSecond inbound connections each source address (IPv6: /64) may start per second
 * @param handshakeBurst how many of those it may start at once
 * @param streamsPerPeer streams to one peer identity, inbound and outbound together
 * @param sessionsPerNode sessions with all peers together
 * @param memoryBudget bytes of receive window all sessions together may hold, and separately
 *     bytes of unacknowledged send data
 *
 * <p>The node-wide limits are shared fairly among peers ({@link dev.weft.mux.SharedLimit}): a
 * quarter of each is kept for peers below their guarantee.
 */
public record NodeLimits(int pendingHandshakes, int handshakesPerSecond, int handshakeBurst,
    int streamsPerPeer, int sessionsPerNode, long memoryBudget) {

  public NodeLimits {
    positive("pendingHandshakes", pendingHandshakes);
    positive("handshakesPerSecond", handshakesPerSecond);
    positive("handshakeBurst", handshakeBurst);
    positive("streamsPerPeer", streamsPerPeer);
    positive("sessionsPerNode", sessionsPerNode);
    positive("memoryBudget", memoryBudget);
  }

  /** Defaults for a small node: a few dozen peers, a few thousand sessions. */
  public static NodeLimits defaults() {
    return new NodeLimits(64, 20, 10, 8, 4096, 256L * 1024 * 1024);
  }

  public NodeLimits withHandshakes(int pending, int perSecond, int burst) {
    return new NodeLimits(pending, perSecond, burst, streamsPerPeer, sessionsPerNode, memoryBudget);
  }

  public NodeLimits withStreamsPerPeer(int streams) {
    return new NodeLimits(pendingHandshakes, handshakesPerSecond, handshakeBurst, streams, sessionsPerNode,
        memoryBudget);
  }

  public NodeLimits withSessionsPerNode(int sessions) {
    return new NodeLimits(pendingHandshakes, handshakesPerSecond, handshakeBurst, streamsPerPeer, sessions,
        memoryBudget);
  }

  public NodeLimits withMemoryBudget(long bytes) {
    return new NodeLimits(pendingHandshakes, handshakesPerSecond, handshakeBurst, streamsPerPeer,
        sessionsPerNode, bytes);
  }

  private static void positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }
}
