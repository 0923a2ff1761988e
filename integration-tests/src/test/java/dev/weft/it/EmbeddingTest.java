package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.identity.Identity;
import dev.weft.link.Endpoint;
import dev.weft.mux.Session;
import dev.weft.node.Access;
import dev.weft.node.Event;
import dev.weft.node.Node;
import dev.weft.node.NodeConfig;
import dev.weft.node.Subscription;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Uses the library exactly as README's embedding example does. */
@Timeout(60)
class EmbeddingTest {
  @TempDir
  Path serverDir;
  @TempDir
  Path clientDir;

  /** An application service: answers each line in upper case. */
  static void shout(Session session, Identity peer) {
    Thread worker = new Thread(() -> {
      try (InputStream in = session.inputStream(); OutputStream out = session.outputStream()) {
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        out.write(text.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        session.reset(e.getMessage());
      }
    });
    worker.setDaemon(true);
    worker.start();
  }

  @Test
  void anApplicationEmbedsTwoNodes() throws Exception {
    try (Node server = Node.start(NodeConfig.builder(serverDir).createIdentity(true)
            .listen("tcp:127.0.0.1:0").build());
        Node client = Node.start(NodeConfig.builder(clientDir).createIdentity(true).build())) {
      server.expose("shout", EmbeddingTest::shout, Access.only(Set.of(client.identity())));
      Subscription events = client.subscribe(64);

      Endpoint where = new Endpoint(server.listeners().get(0).transport(), "127.0.0.1",
          server.listeners().get(0).port());
      client.link(server.identity(), where).get(10, TimeUnit.SECONDS);
      Session session = client.open(server.identity(), "shout").get(10, TimeUnit.SECONDS);
      try (OutputStream out = session.outputStream()) {
        out.write("hello, weft".getBytes(StandardCharsets.UTF_8));
      }
      try (InputStream in = session.inputStream()) {
        assertEquals("HELLO, WEFT", new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
      Event first = events.poll(Duration.ofSeconds(5));
      assertEquals(Event.StreamOpened.class, first.getClass());
    }
  }
}
