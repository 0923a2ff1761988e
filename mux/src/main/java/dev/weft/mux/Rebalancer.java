package dev.weft.mux;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies a {@link Rebalance} policy once per ping interval: counts, per stream, consecutive
 * checks at which it was degraded against the best live stream, and at {@code patience} moves
 * its open sessions to the best one, except sessions it moved less than {@code cooldown} ago.
 * Only the high side acts, so the two peers never race to move the same sessions. Runs on the
 * table's executor.
 */
final class Rebalancer {
  private final SessionTable table;
  private final Rebalance policy;
  /** Session id → when this rebalancer last moved it (nanoTime). */
  private final Map<Long, Long> moved = new HashMap<>();

  Rebalancer(SessionTable table, Rebalance policy) {
    this.table = table;
    this.policy = policy;
  }

  void check() {
    List<MuxStream> streams = table.attachedStreams();
    MuxStream best = null;
    long bestScore = Long.MAX_VALUE;
    for (MuxStream s : streams) {
      long score = s.stats().score();
      if (s.live() && score < bestScore) {
        best = s;
        bestScore = score;
      }
    }
    if (best == null) {
      return;
    }
    long now = System.nanoTime();
    moved.values().removeIf(at -> now - at > policy.cooldown().toNanos());
    for (MuxStream s : streams) {
      long score = s.stats().score();
      if (s == best || !s.live() || score == Long.MAX_VALUE || !policy.degraded(score, bestScore)) {
        s.strikes = 0;
      } else if (++s.strikes >= policy.patience()) {
        s.strikes = 0;
        moveAll(s, best, table.sessions(), now);
      }
    }
  }

  private void moveAll(MuxStream from, MuxStream to, List<Session> sessions, long now) {
    for (Session session : sessions) {
      long id = session.id().value();
      if (session.stream() == from && session.state().steady() && !moved.containsKey(id)) {
        moved.put(id, now);
        table.migrate(session.id(), to.id()).exceptionally(e -> Duration.ZERO);
      }
    }
  }
}
