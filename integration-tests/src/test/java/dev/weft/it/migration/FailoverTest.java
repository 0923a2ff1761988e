package dev.weft.it.migration;

import static dev.weft.it.migration.NodePair.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.link.Stream;
import dev.weft.link.Transport;
import dev.weft.mux.Reason;
import dev.weft.mux.SessionResetException;
import dev.weft.node.Event;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streams dying under live sessions, over real sockets: a TCP connection reset in the middle of a
 * transfer, a KCP path that silently drops everything, and every stream to the peer at once.
 */
@Timeout(120)
class FailoverTest {
  private static final int FLOWS = 10;
  private static final long PROGRESS = 64 * 1024;

  @TempDir
  Path dir;

  @Test
  void aResetTcpStreamLosesNothingWhileAKcpStreamLives() throws Exception {
    survivesLossOf(Transport.TCP, Transport.KCP, pair -> pair.tcp.reset());
  }

  @Test
  void aSilentlyDeadKcpPathLosesNothingWhileATcpStreamLives() throws Exception {
    // Nobody reports this loss: the ping timeout (or KCP's dead-link check) notices the silence.
    survivesLossOf(Transport.KCP, Transport.TCP, pair -> pair.kcp.blackhole());
  }

  /** Flows open on a {@code dying} stream, a {@code surviving} one joins, {@code kill} strikes. */
  private void survivesLossOf(Transport dying, Transport surviving, Consumer<NodePair> kill) throws Exception {
    try (NodePair pair = NodePair.start(dir, NodePair.MUX)) {
      Stream lost = pair.link(dying);
      List<FlowEnd> flows = openFlows(pair);
      pair.link(surviving);
      progress(pair, flows);
      kill.accept(pair);
      awaitFailovers(pair, flows, lost);
      progress(pair, flows);
      pair.finish(flows);
    }
  }

  @Test
  void sessionsResumeWhenTheNodeRelinksWithinTheGracePeriod() throws Exception {
    // The blackholed KCP stream is found dead only by the ping timeout, and the relink comes after
    // that: the grace must outlast both (it runs from the first loss, the TCP reset).
    Duration grace = Duration.ofSeconds(25);
    try (NodePair pair = NodePair.start(dir, NodePair.MUX.withFailoverGrace(grace))) {
      Stream tcp = pair.link(Transport.TCP);
      List<FlowEnd> flows = openFlows(pair);
      Stream kcp = pair.link(Transport.KCP);
      progress(pair, flows);
      // Every stream dies at once; the TCP path accepts again, the KCP path stays dead.
      pair.tcp.reset();
      pair.kcp.blackhole();
      // Each session resumes on a stream A linked again (one of the known endpoints).
      Set<String> dead = Set.of(tcp.id().toString(), kcp.id().toString());
      for (FlowEnd flow : flows) {
        String id = flow.session.id().toString();
        pair.next(Event.FailoverDone.class, e -> e.session().equals(id) && !dead.contains(e.to()));
      }
      progress(pair, flows);
      pair.finish(flows);
    }
  }

  @Test
  void sessionsAreResetWithAClearReasonWhenNoStreamComesBackWithinTheGracePeriod() throws Exception {
    Duration grace = Duration.ofSeconds(3);
    try (NodePair pair = NodePair.start(dir, NodePair.MUX.withFailoverGrace(grace))) {
      pair.link(Transport.TCP);
      List<FlowEnd> flows = openFlows(pair);
      pair.link(Transport.KCP);
      progress(pair, flows);
      // Both paths die and stay dead: A's attempts to link again fail.
      pair.tcp.close();
      pair.kcp.blackhole();
      for (FlowEnd flow : flows) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> await(flow.received));
        SessionResetException reset = assertInstanceOf(SessionResetException.class, e.getCause());
        assertEquals(Reason.STREAM_LOST, reset.reason());
        assertTrue(reset.getMessage().contains("grace period"), reset.getMessage());
        SessionResetException remote = assertInstanceOf(SessionResetException.class,
            assertThrows(ExecutionException.class, () -> await(pair.served(flow).received)).getCause());
        assertEquals(Reason.STREAM_LOST, remote.reason());
        String id = flow.session.id().toString();
        Event.SessionClosed closed = pair.next(Event.SessionClosed.class, c -> c.session().equals(id));
        assertTrue(closed.reason().contains("grace period"), closed.reason());
      }
      assertTrue(pair.adminA.sessions().isEmpty());
      assertTrue(pair.adminB.sessions().isEmpty());
    }
  }

  private static List<FlowEnd> openFlows(NodePair pair) throws Exception {
    List<FlowEnd> flows = new ArrayList<>();
    for (int i = 0; i < FLOWS; i++) {
      flows.add(pair.open());
    }
    return flows;
  }

  /** Every flow moves on, both ways. */
  private static void progress(NodePair pair, List<FlowEnd> flows) throws Exception {
    List<CompletableFuture<Void>> moving = new ArrayList<>();
    for (FlowEnd flow : flows) {
      moving.add(flow.advanced(PROGRESS));
      moving.add(pair.served(flow).advanced(PROGRESS));
    }
    try {
      await(CompletableFuture.allOf(moving.toArray(CompletableFuture[]::new)));
    } catch (TimeoutException e) {
      StringBuilder stuck = new StringBuilder("flows stopped moving:");
      for (FlowEnd flow : flows) {
        stuck.append("\n  A ").append(flow).append("\n  B ").append(pair.served(flow));
      }
      throw new AssertionError(stuck + "\n  streams " + pair.adminA.streams(), e);
    }
  }

  /**
   * Every flow's session failed over from {@code lost} to a live stream. (On a loaded machine
   * another stream may die and fail over too: only the data checks decide the rest.)
   */
  private static void awaitFailovers(NodePair pair, List<FlowEnd> flows, Stream lost) throws Exception {
    String from = lost.id().toString();
    for (FlowEnd flow : flows) {
      String id = flow.session.id().toString();
      Event.FailoverStarted started = pair.next(Event.FailoverStarted.class,
          e -> e.session().equals(id) && from.equals(e.from()));
      Event.FailoverDone f = pair.next(Event.FailoverDone.class, e -> e.session().equals(id) && from.equals(e.from()));
      assertNotEquals(from, f.to());
      assertNotEquals(lost.id().value(), flow.session.streamId());
      JsonNode json = NodePair.json(started);
      assertEquals("failover-started", json.get("type").asText());
      assertEquals(id, json.get("session").asText());
      assertFalse(json.get("reason").asText().isEmpty());
      json = NodePair.json(f);
      assertEquals("failover", json.get("type").asText());
      assertEquals(from, json.get("from").asText());
      assertEquals(f.to(), json.get("to").asText());
      assertTrue(json.get("millis").asLong() >= 0 && json.get("millis").asLong() < 60_000, json.toString());
    }
  }
}
