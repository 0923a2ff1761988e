package dev.weft.mux;

import java.time.Duration;
import java.util.List;

/**
 * Applies a {@link Rebalance} policy once per ping interval: counts, per stream, consecutive
 * checks at which it was degraded against the best live stream, and at {@code patience} moves
 * its open sessions to the best one. Only the high side acts, so the two peers never race to move
 * the same sessions. Runs on the peer's executor.
 */
final class Rebalancer {
  private final Peer peer;
  private final Rebalance policy;

  Rebalancer(Peer peer, Rebalance policy) {
    this.peer = peer;
    this.policy = policy;
  }

  void check(List<MuxStream> streams, List<Session> sessions) {
    MuxStream best = null;
    for (MuxStream s : streams) {
      if (s.live() && s.srttNanos() > 0 && (best == null || s.srttNanos() < best.srttNanos())) {
        best = s;
      }
    }
    if (best == null) {
      return;
    }
    for (MuxStream s : streams) {
      if (s == best || !s.live() || s.srttNanos() == 0 || !policy.degraded(s.srttNanos(), best.srttNanos())) {
        s.strikes = 0;
      } else if (++s.strikes >= policy.patience()) {
        s.strikes = 0;
        moveAll(s, best, sessions);
      }
    }
  }

  private void moveAll(MuxStream from, MuxStream to, List<Session> sessions) {
    for (Session session : sessions) {
      if (session.stream() == from && session.state() == SessionState.OPEN) {
        peer.migrate(session.id(), to.id()).exceptionally(e -> Duration.ZERO);
      }
    }
  }
}
