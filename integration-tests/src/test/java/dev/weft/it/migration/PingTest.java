package dev.weft.it.migration;

import static dev.weft.it.migration.NodePair.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.link.Stream;
import dev.weft.link.Transport;
import dev.weft.mux.StreamStats;
import dev.weft.node.admin.PingResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A ping is a round trip measured now, not the smoothed RTT the stream measured earlier. */
@Timeout(60)
class PingTest {
  /** One way: the relay's delay that a real round trip must show twice over. */
  private static final Duration DELAY = Duration.ofMillis(150);

  @TempDir
  Path dir;

  @Test
  void aPingMeasuresThePathAsItIsNow() throws Exception {
    // Pings every ten minutes: the smoothed RTT stays what the first Ping found on a fast path.
    try (NodePair pair = NodePair.start(dir, NodePair.MUX.withPing(Duration.ofMinutes(10), Duration.ofMinutes(30)))) {
      Stream tcp = pair.link(Transport.TCP);
      awaitSrtt(pair, tcp);
      pair.tcp.delay(DELAY);
      List<PingResult> results = await(pair.adminA.ping(pair.b.identity()));
      assertEquals(1, results.size(), results.toString());
      PingResult ping = results.get(0);
      assertEquals(tcp.id().toString(), ping.stream());
      assertEquals("tcp", ping.transport());
      assertTrue(ping.rttMicros() >= 2 * DELAY.toNanos() / 1000, ping.toString());
      // The slow path shows in streams only through the next periodic Ping.
      assertTrue(pair.adminA.streams().get(0).rttMicros() < DELAY.toNanos() / 1000,
          pair.adminA.streams().toString());
      pair.tcp.delay(Duration.ZERO);
    }
  }

  /** Waits (bounded) until A's stream has a smoothed RTT: its first Pong came back, on the fast path. */
  private static void awaitSrtt(NodePair pair, Stream stream) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(NodePair.WAIT_SECONDS);
    while (pair.a.peer(pair.b.identity()).flatMap(p -> p.stats(stream.id())).map(StreamStats::srtt).isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "no Pong on " + stream.id() + " within " + NodePair.WAIT_SECONDS + " s");
      Thread.sleep(10);
    }
  }
}
