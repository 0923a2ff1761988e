package dev.weft.it.migration;

import static dev.weft.it.migration.NodePair.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.link.Stream;
import dev.weft.link.Transport;
import dev.weft.mux.MuxConfig;
import dev.weft.node.Event;
import dev.weft.node.Json;
import dev.weft.node.Node;
import dev.weft.node.NodeConfig;
import dev.weft.node.admin.AdminAccess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migration requests that cannot be carried out are refused with a clear error, through the Node
 * API and the admin API alike, and the session goes on undisturbed on its stream.
 */
@Timeout(90)
class InvalidMigrationTest {
  @TempDir
  Path dir;

  @Test
  void eachInvalidRequestIsRefusedWithItsReason() throws Exception {
    try (NodePair pair = NodePair.start(dir, NodePair.MUX);
        Node other = Node.start(NodeConfig.builder(dir.resolve("c")).createIdentity(true)
            .listen("tcp:127.0.0.1:0").build())) {
      Stream tcp = pair.link(Transport.TCP);
      FlowEnd flow = pair.open();
      String session = flow.session.id().toString();
      Stream toOther = await(pair.a.link(other.identity(), other.listeners().get(0)));
      Stream closed = pair.link(Transport.KCP);
      await(pair.adminA.unlink(closed.id().toString(), false));
      pair.next(Event.StreamClosed.class, e -> e.stream().equals(closed.id().toString()));
      Admin admin = new Admin(AdminAccess.read(dir.resolve("a")).orElseThrow());

      Refusal unknown = new Refusal(NoSuchElementException.class, 404, "no session");
      unknown.check(() -> pair.adminA.migrate("00000000000000aa", tcp.id().toString()),
          admin.migrate("00000000000000aa", tcp.id().toString()));
      Refusal otherPeer = new Refusal(IllegalStateException.class, 409, "not to the session's peer");
      otherPeer.check(() -> pair.adminA.migrate(session, toOther.id().toString()),
          admin.migrate(session, toOther.id().toString()));
      Refusal gone = new Refusal(NoSuchElementException.class, 404, "no stream " + closed.id());
      gone.check(() -> pair.adminA.migrate(session, closed.id().toString()),
          admin.migrate(session, closed.id().toString()));
      Refusal same = new Refusal(IllegalStateException.class, 409, "already on stream");
      same.check(() -> pair.adminA.migrate(session, tcp.id().toString()),
          admin.migrate(session, tcp.id().toString()));

      assertEquals(tcp.id().value(), flow.session.streamId());
      assertEquals(0, flow.session.migrations());
      await(flow.advanced(64 * 1024));
      pair.finish(List.of(flow));
    }
  }

  @Test
  void aMigrationThePeerDoesNotAnswerInTimeFailsAndTheSessionStaysPut() throws Exception {
    // Without suspicion: the delayed stream, silent for 1.5 s, would otherwise be suspected and the
    // session resumed on the other stream, which is not what this test is about.
    MuxConfig quick = NodePair.MUX.withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ZERO)
        .withSuspicion(0, Duration.ofMillis(250));
    try (NodePair pair = NodePair.start(dir, quick)) {
      Stream tcp = pair.link(Transport.TCP);
      FlowEnd flow = pair.open();
      Stream kcp = pair.link(Transport.KCP);
      String session = flow.session.id().toString();
      Admin admin = new Admin(AdminAccess.read(dir.resolve("a")).orElseThrow());
      // The marker travels on the session's TCP stream, now too slow to answer within 1 s.
      pair.tcp.delay(Duration.ofMillis(1500));
      new Refusal(TimeoutException.class, 504, "did not answer within 1000 ms").check(
          () -> pair.adminA.migrate(session, kcp.id().toString()), admin.migrate(session, kcp.id().toString()));
      assertEquals(tcp.id().value(), flow.session.streamId());
      pair.tcp.delay(Duration.ZERO);
      await(flow.advanced(64 * 1024));
      pair.finish(List.of(flow));
    }
  }

  /** What one invalid request must produce: the Node API's exception, the admin status, and words. */
  private record Refusal(Class<? extends Exception> type, int status, String words) {
    void check(Callable<CompletableFuture<?>> viaNode, HttpResponse<String> viaAdmin) throws Exception {
      Throwable e;
      try {
        CompletableFuture<?> migration = viaNode.call();
        e = assertThrows(ExecutionException.class, () -> await(migration)).getCause();
      } catch (RuntimeException thrown) {
        e = thrown; // refused before any network work starts
      }
      assertInstanceOf(type, e, e.toString());
      assertTrue(e.getMessage().contains(words), e.getMessage());
      assertEquals(status, viaAdmin.statusCode(), viaAdmin.body());
      JsonNode body = Json.mapper().readTree(viaAdmin.body());
      assertTrue(body.get("error").asText().contains(words), viaAdmin.body());
    }
  }

  /** A bare client of A's admin API. */
  private record Admin(AdminAccess access) {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    HttpResponse<String> migrate(String session, String stream) throws Exception {
      HttpRequest request = HttpRequest.newBuilder(URI.create(access.baseUri() + "/sessions/" + session + "/migrate"))
          .header("Authorization", "Bearer " + access.token())
          .header("Content-Type", "application/json")
          .timeout(Duration.ofSeconds(NodePair.WAIT_SECONDS))
          .POST(HttpRequest.BodyPublishers.ofString("{\"stream\": \"" + stream + "\"}"))
          .build();
      return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }
  }
}
