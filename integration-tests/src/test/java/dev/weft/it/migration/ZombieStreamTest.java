package dev.weft.it.migration;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.link.Endpoint;
import dev.weft.link.Transport;
import dev.weft.node.Event;
import dev.weft.node.Node;
import dev.weft.node.NodeConfig;
import dev.weft.node.NodeLimits;
import dev.weft.node.Subscription;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node at its stream limit for a peer (1 here) lets that peer link again when its one stream is
 * dead without the transport noticing (a zombie: a Ping unanswered for over a second and four
 * round trips), closing the zombie instead of refusing the new stream. Before, the peer was
 * refused until the ping timeout (8 s here) closed the zombie.
 */
@Timeout(120)
class ZombieStreamTest {
  @TempDir
  Path dir;

  @Test
  void aNewStreamDisplacesADeadOneAtTheStreamLimit() throws Exception {
    try (Node b = Node.start(NodeConfig.builder(dir.resolve("b")).createIdentity(true).mux(NodePair.MUX)
            .limits(NodeLimits.defaults().withStreamsPerPeer(1))
            .listen("tcp:127.0.0.1:0").listen("kcp:127.0.0.1:0").build());
        Node a = Node.start(NodeConfig.builder(dir.resolve("a")).createIdentity(true).mux(NodePair.MUX).build());
        Subscription bEvents = b.subscribe(10_000)) {
      Endpoint kcp = NodePair.listener(b, Transport.KCP);
      try (UdpRelay relay = new UdpRelay(new InetSocketAddress(kcp.host(), kcp.port()))) {
        NodePair.await(a.link(b.identity(), new Endpoint(Transport.KCP, "127.0.0.1", relay.port())));
        relay.blackhole();
        linkUntilAccepted(a, b, NodePair.listener(b, Transport.TCP));
        String reason = closedStreamReason(bEvents);
        assertTrue(reason.contains("displaced by a new stream"), reason);
      }
    }
  }

  /** Links A to B until B lets the stream in: it refuses while the dead stream is not yet known to be dead. */
  private static void linkUntilAccepted(Node a, Node b, Endpoint to) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(NodePair.WAIT_SECONDS);
    while (true) {
      try {
        NodePair.await(a.link(b.identity(), to));
        return;
      } catch (ExecutionException refused) {
        assertTrue(System.nanoTime() < deadline, "B kept refusing: " + refused.getCause());
        Thread.sleep(200); // polling a condition under a deadline
      }
    }
  }

  private static String closedStreamReason(Subscription events) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(NodePair.WAIT_SECONDS);
    for (long left; (left = deadline - System.nanoTime()) > 0; ) {
      if (events.poll(Duration.ofNanos(left)) instanceof Event.StreamClosed closed) {
        return closed.reason();
      }
    }
    throw new AssertionError("B closed no stream");
  }
}
