package dev.weft.it.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.link.Stream;
import dev.weft.link.Transport;
import dev.weft.mux.MuxConfig;
import dev.weft.mux.Rebalance;
import dev.weft.node.Event;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The optional rebalancing policy over real TCP and KCP paths whose latency the test sets. */
@Timeout(90)
class RebalanceTest {
  /** Long enough for several degraded checks: patience is 3 pings of 250 ms. */
  private static final Duration QUIET = Duration.ofSeconds(3);

  @TempDir
  Path dir;

  @Test
  void aSessionLeavesAStreamWhoseRoundTripDegradesAndDoesNotFlapBack() throws Exception {
    MuxConfig policy = NodePair.MUX.withRebalance(Rebalance.standard());
    try (NodePair pair = NodePair.start(dir, policy, 64 * 1024)) {
      Stream tcp = pair.link(Transport.TCP);
      Stream kcp = pair.link(Transport.KCP);
      FlowEnd flow = pair.open();
      String session = flow.session.id().toString();
      boolean onTcp = flow.session.streamId() == tcp.id().value();
      Stream other = onTcp ? kcp : tcp;

      // 30 ms each way: more than twice the round trip and 20 ms worse than the other path.
      delay(pair, onTcp, Duration.ofMillis(30));
      Event.MigrationDone moved = pair.next(Event.MigrationDone.class, e -> e.session().equals(session));
      assertEquals(other.id().toString(), moved.to());
      assertEquals(other.id().value(), flow.session.streamId());

      // The old path recovers, the new one gets 10 ms slower: within the margin, nothing moves.
      delay(pair, onTcp, Duration.ZERO);
      delay(pair, !onTcp, Duration.ofMillis(5));
      assertTrue(pair.none(Event.MigrationStarted.class, e -> e.session().equals(session), QUIET),
          "moved although the difference is within the margin");
      // Now the new path degrades too, but the session moved moments ago: the cooldown holds it.
      delay(pair, !onTcp, Duration.ofMillis(30));
      assertTrue(pair.none(Event.MigrationStarted.class, e -> e.session().equals(session), QUIET),
          "moved back within the cooldown");
      assertEquals(1, flow.session.migrations());
      delay(pair, !onTcp, Duration.ZERO);
      pair.finish(List.of(flow));
    }
  }

  private static void delay(NodePair pair, boolean tcp, Duration oneWay) {
    if (tcp) {
      pair.tcp.delay(oneWay);
    } else {
      pair.kcp.delay(oneWay);
    }
  }
}
