package dev.weft.node.admin;

import dev.weft.identity.Identity;
import dev.weft.mux.Session;
import dev.weft.node.Expose;
import dev.weft.node.Forward;
import dev.weft.node.NodeStatus;
import dev.weft.node.Subscription;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What an operator can ask of a running node: the admin API's handlers are plain functions over
 * this ({@link NodeAdmin} over a real node). Stream and session ids are their text
 * ({@link dev.weft.identity.IdText}, either case). Reads answer from memory; anything that waits
 * on the network returns a future.
 *
 * <p>Failures: {@link IllegalArgumentException} for malformed input, {@link
 * java.util.NoSuchElementException} for an unknown session, stream, peer or service, {@link
 * IllegalStateException} when the request conflicts with the node's state, and other exceptions
 * (completing the future) when the network operation failed.
 */
public interface NodeControl {
  NodeStatus status();

  List<PeerInfo> peers();

  List<StreamInfo> streams();

  List<SessionInfo> sessions();

  /** One session. */
  SessionInfo session(String id);

  /** Resets a session; the peer sees {@code reason}. */
  void reset(String session, String reason);

  /** Opens one more stream to {@code peer} at {@code endpoint}; fails if the key there is not peer's. */
  CompletableFuture<StreamInfo> link(Identity peer, String endpoint);

  /** Closes a stream; with {@code drain}, first moves its sessions to another stream to the peer. */
  CompletableFuture<Void> unlink(String stream, boolean drain);

  List<Expose> exposes();

  /** Adds (persistently) a TCP-bridged service. */
  void expose(Expose expose);

  void unexpose(String service);

  List<Forward> forwards();

  /** Starts (persistently) a local listener whose connections become sessions. */
  CompletableFuture<Forward> forward(Forward forward);

  CompletableFuture<Void> unforward(int port);

  /** Moves one session to {@code stream}. */
  CompletableFuture<SessionInfo> migrate(String session, String stream);

  /** Moves every session on {@code from} to {@code to}; completes with how many moved. */
  CompletableFuture<Integer> migrateAll(String from, String to);

  /**
   * Opens a session to {@code peer}'s {@code service} on its best live stream, linking first
   * through the peer's known endpoints if it has no stream.
   */
  CompletableFuture<Session> open(Identity peer, String service);

  /** Sends a Ping on every stream to {@code peer} and reports each one's round trip. */
  CompletableFuture<List<PingResult>> ping(Identity peer);

  /** A new bounded subscription to the node's events. */
  default Subscription subscribe(int capacity) {
    return subscribe(capacity, false);
  }

  /** Like {@link #subscribe(int)}; with {@code traffic}, also the once-a-second traffic samples. */
  Subscription subscribe(int capacity, boolean traffic);

  /** The node's metrics in Prometheus text format (docs/metrics.md). */
  byte[] metrics();
}
