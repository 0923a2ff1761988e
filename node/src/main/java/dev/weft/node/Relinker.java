package dev.weft.node;

import dev.weft.identity.Identity;
import dev.weft.link.Endpoint;
import dev.weft.link.Stream;
import dev.weft.mux.SessionState;
import dev.weft.mux.StreamStats;
import io.netty.util.concurrent.EventExecutorGroup;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Links a peer again after its last stream died while sessions wait to resume, when its streams
 * left a session's Resume unanswered (they may be dead unnoticed), or when every stream to it
 * went silent with sessions on them (the node's address changed, a NAT forgot the mapping):
 * dials each of the peer's known endpoints, retrying with doubling backoff, only while that
 * lasts and at most the failover grace period. The first stream that comes up lets them resume.
 */
final class Relinker {
  private static final Logger LOG = LoggerFactory.getLogger(Relinker.class);
  static final Duration FIRST_RETRY = Duration.ofMillis(100);
  static final Duration MAX_RETRY = Duration.ofSeconds(2);

  private final EventExecutorGroup timers;
  private final Duration grace;
  private final Function<Identity, List<Endpoint>> known;
  private final BiFunction<Identity, Endpoint, CompletableFuture<Stream>> dial;
  private final Consumer<LinkedPeer> ended;
  /** Peers being relinked now: one run per peer. */
  private final Set<Identity> running = ConcurrentHashMap.newKeySet();

  /** {@code ended} is told when a run ended without another starting (the peer may be unused now). */
  Relinker(EventExecutorGroup timers, Duration grace, Function<Identity, List<Endpoint>> known,
      BiFunction<Identity, Endpoint, CompletableFuture<Stream>> dial, Consumer<LinkedPeer> ended) {
    this.timers = timers;
    this.grace = grace;
    this.known = known;
    this.dial = dial;
    this.ended = ended;
  }

  /** Whether a run for {@code peer} is under way. */
  boolean running(Identity peer) {
    return running.contains(peer);
  }

  /**
   * Called when a peer's last stream is gone, when one of its sessions starts failing over
   * (either may come first), when a session's Resume is stranded and when one of its streams goes
   * silent: starts a run if sessions now wait with no stream (or only silent ones) to resume on.
   */
  void wake(LinkedPeer peer) {
    if (grace.isZero() || !needed(peer) || !running.add(peer.identity())) {
      return;
    }
    List<Endpoint> endpoints = known.apply(peer.identity());
    if (endpoints.isEmpty()) {
      running.remove(peer.identity());
      LOG.debug("{} has no known endpoint: its sessions wait for it to link in", peer.identity().shortText());
      return;
    }
    Run run = new Run(peer, System.nanoTime() + grace.toNanos(), endpoints.size());
    LOG.info("{} to {} with sessions waiting: linking again via {}", !peer.linked()
        ? "last stream lost" : peer.stranded() ? "resumes unanswered on every stream"
        : "every stream went silent", peer.identity().shortText(), endpoints);
    endpoints.forEach(e -> run.attempt(e, FIRST_RETRY));
  }

  /**
   * With every stream silent, or with no stream left or with streams that swallowed a session's
   * Resumes unanswered (dead without this side noticing yet, e.g. a KCP peer that restarted or
   * whose host lost its sockets) while sessions fail over.
   */
  private static boolean needed(LinkedPeer peer) {
    List<StreamStats> streams = peer.mux().streams();
    if (!streams.isEmpty() && streams.stream().allMatch(StreamStats::suspect)) {
      return peer.mux().sessionCount() > 0;
    }
    return (!peer.linked() || peer.stranded())
        && peer.mux().sessions().stream().anyMatch(s -> s.state() == SessionState.FAILING_OVER);
  }

  /** One relinking of one peer: a retry loop per endpoint, ended by success, the deadline or no need. */
  private final class Run {
    private final LinkedPeer peer;
    private final long deadline;
    private int loops;

    Run(LinkedPeer peer, long deadline, int loops) {
      this.peer = peer;
      this.deadline = deadline;
      this.loops = loops;
    }

    void attempt(Endpoint endpoint, Duration backoff) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !needed(peer)) {
        loopEnded();
        return;
      }
      dial.apply(peer.identity(), endpoint).orTimeout(left, TimeUnit.NANOSECONDS).whenComplete((stream, e) -> {
        if (e == null) {
          LOG.info("linked {} again via {}", peer.identity().shortText(), endpoint);
          loopEnded();
          return;
        }
        LOG.debug("relinking {} via {} failed: {}", peer.identity().shortText(), endpoint, e.toString());
        Duration next = backoff.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : backoff.multipliedBy(2);
        timers.schedule(() -> attempt(endpoint, next), backoff.toNanos(), TimeUnit.NANOSECONDS);
      });
    }

    private void loopEnded() {
      boolean last;
      synchronized (this) {
        last = --loops == 0;
      }
      if (last) {
        running.remove(peer.identity());
        // A stream may have died again while this run was ending: look once more.
        wake(peer);
        ended.accept(peer);
      }
    }
  }
}
