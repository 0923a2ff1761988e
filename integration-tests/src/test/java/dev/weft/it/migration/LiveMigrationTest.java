package dev.weft.it.migration;

import static dev.weft.it.migration.NodePair.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.link.Stream;
import dev.weft.link.Transport;
import dev.weft.node.Event;
import dev.weft.node.admin.NodeControl;
import dev.weft.node.admin.SessionInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Marker migration through the Node API between real TCP and KCP streams, data flowing. */
@Timeout(120)
class LiveMigrationTest {
  @TempDir
  Path dir;

  @Test
  void aHundredMigrationsBackAndForthBetweenTcpAndKcpLoseNothing() throws Exception {
    try (NodePair pair = NodePair.start(dir, NodePair.MUX)) {
      Stream tcp = pair.link(Transport.TCP);
      Stream kcp = pair.link(Transport.KCP);
      FlowEnd flow = pair.open();
      FlowEnd served = pair.served(flow);
      String session = flow.session.id().toString();
      Stream initial = flow.session.streamId() == tcp.id().value() ? tcp : kcp;
      Stream second = initial == tcp ? kcp : tcp;
      for (int i = 0; i < 100; i++) {
        Stream target = flow.session.streamId() == tcp.id().value() ? kcp : tcp;
        // Either side may start it: alternate.
        NodeControl initiator = i % 2 == 0 ? pair.adminA : pair.adminB;
        SessionInfo moved = await(initiator.migrate(session, target.id().toString()));
        assertEquals(target.id().toString(), moved.stream());
        // Both directions keep flowing on the new stream.
        await(flow.advanced(16 * 1024));
        await(served.advanced(16 * 1024));
        assertEquals(target.id().value(), flow.session.streamId());
      }
      assertEquals(100, flow.session.migrations());
      assertEquals(100, served.session.migrations());
      // The events of one migration A started, as operators see them.
      Event.MigrationStarted started = pair.next(Event.MigrationStarted.class, e -> e.session().equals(session));
      JsonNode json = NodePair.json(started);
      assertEquals("migration-started", json.get("type").asText());
      assertEquals(initial.id().toString(), json.get("from").asText());
      assertEquals(second.id().toString(), json.get("to").asText());
      json = NodePair.json(pair.next(Event.MigrationDone.class, e -> e.session().equals(session)));
      assertEquals("migration-done", json.get("type").asText());
      assertTrue(json.get("pauseMicros").asLong() > 0, json.toString());
      // What `weft sessions` shows.
      assertEquals(100, pair.adminA.sessions().stream().filter(s -> s.id().equals(session))
          .findFirst().orElseThrow().migrations());
      pair.finish(List.of(flow));
    }
  }

  @Test
  void fiveHundredSessionsMigrateAtOnce() throws Exception {
    // Small windows keep what is in flight (and the test) small; the protocol is the same.
    try (NodePair pair = NodePair.start(dir, NodePair.MUX.withWindows(32 * 1024, 32 * 1024), 8 * 1024)) {
      Stream tcp = pair.link(Transport.TCP);
      List<FlowEnd> flows = new ArrayList<>();
      for (int batch = 0; batch < 5; batch++) {
        List<CompletableFuture<FlowEnd>> opening = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          opening.add(pair.openLater());
        }
        for (CompletableFuture<FlowEnd> open : opening) {
          flows.add(await(open));
        }
      }
      Stream kcp = pair.link(Transport.KCP);
      await(allAdvanced(flows, 4 * 1024));
      int moved = await(pair.adminA.migrateAll(tcp.id().toString(), kcp.id().toString()));
      assertEquals(500, moved);
      for (FlowEnd flow : flows) {
        assertEquals(kcp.id().value(), flow.session.streamId());
        assertEquals(kcp.id().value(), pair.served(flow).session.streamId());
      }
      await(allAdvanced(flows, 4 * 1024));
      pair.finish(flows);
    }
  }

  private static CompletableFuture<Void> allAdvanced(List<FlowEnd> flows, long bytes) {
    return CompletableFuture.allOf(flows.stream().map(f -> f.advanced(bytes))
        .toArray(CompletableFuture[]::new));
  }

  @Test
  void bothSidesStartingTheSameMigrationAgreeOnOneOutcome() throws Exception {
    try (NodePair pair = NodePair.start(dir, NodePair.MUX)) {
      Stream tcp = pair.link(Transport.TCP);
      FlowEnd flow = pair.open();
      FlowEnd served = pair.served(flow);
      Stream kcp = pair.link(Transport.KCP);
      Stream direct = pair.linkDirect(Transport.KCP);
      String session = flow.session.id().toString();
      // The markers travel on the TCP stream: 40 ms each way makes the two requests cross.
      pair.tcp.delay(Duration.ofMillis(40));
      await(flow.advanced(1));
      CompletableFuture<SessionInfo> fromA = pair.adminA.migrate(session, kcp.id().toString());
      CompletableFuture<SessionInfo> fromB = pair.adminB.migrate(session, direct.id().toString());
      // Identity order decides, the same at both ends: the higher identity's request wins.
      boolean aWins = pair.a.identity().compareTo(pair.b.identity()) > 0;
      Stream winner = aWins ? kcp : direct;
      await(aWins ? fromA : fromB);
      ExecutionException lost = assertThrows(ExecutionException.class, () -> await(aWins ? fromB : fromA));
      assertInstanceOf(IllegalStateException.class, lost.getCause());
      assertTrue(lost.getCause().getMessage().contains("superseded"), lost.getCause().getMessage());
      assertEquals(winner.id().value(), flow.session.streamId());
      assertEquals(winner.id().value(), served.session.streamId());

      // The same target from both sides at once: both succeed.
      await(pair.adminA.migrate(session, tcp.id().toString()));
      CompletableFuture<SessionInfo> againA = pair.adminA.migrate(session, kcp.id().toString());
      CompletableFuture<SessionInfo> againB = pair.adminB.migrate(session, kcp.id().toString());
      assertEquals(kcp.id().toString(), await(againA).stream());
      assertEquals(kcp.id().toString(), await(againB).stream());
      assertEquals(kcp.id().value(), served.session.streamId());
      pair.tcp.delay(Duration.ZERO);
      pair.finish(List.of(flow));
    }
  }
}
