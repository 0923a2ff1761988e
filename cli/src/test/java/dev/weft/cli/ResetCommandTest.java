package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.mux.Session;
import dev.weft.mux.SessionResetException;
import dev.weft.node.Access;
import dev.weft.node.HostPort;
import dev.weft.node.Node;
import dev.weft.node.NodeConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ResetCommandTest {
  @TempDir
  Path dirA;
  @TempDir
  Path dirB;

  private int weft(StringWriter err, String... args) {
    return Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err),
        Map.of("WEFT_HOME", dirA.toString()), args);
  }

  @Test
  void resetEndsTheSessionAndThePeerSeesTheReason() throws Exception {
    try (Node b = Node.start(NodeConfig.builder(dirB).createIdentity(true).listen("tcp:127.0.0.1:0").build());
        Node a = Node.start(NodeConfig.builder(dirA).createIdentity(true)
            .admin(HostPort.parse("127.0.0.1:0"), false).build())) {
      CompletableFuture<Session> served = new CompletableFuture<>();
      b.expose("idle", (session, peer) -> served.complete(session), Access.anyone());
      a.link(b.identity(), b.listeners().get(0)).get(20, TimeUnit.SECONDS);
      Session opened = a.open(b.identity(), "idle").get(20, TimeUnit.SECONDS);
      Session service = served.get(20, TimeUnit.SECONDS);

      StringWriter err = new StringWriter();
      assertEquals(0, weft(err, "reset", opened.id().toString(), "--reason", "moving to a new box"), err.toString());
      SessionResetException seen = (SessionResetException) assertThrows(ExecutionException.class,
          () -> service.closeFuture().get(20, TimeUnit.SECONDS)).getCause();
      assertEquals("moving to a new box", seen.detail());

      StringWriter again = new StringWriter();
      assertEquals(1, weft(again, "reset", opened.id().toString()));
      assertTrue(again.toString().contains("no session"), again.toString());
    }
  }

  @Test
  void aMalformedIdFailsBeforeContactingTheNode() {
    StringWriter err = new StringWriter();
    assertEquals(2, weft(err, "reset", "xyz"));
    assertTrue(err.toString().contains("not a session id"), err.toString());
  }
}
