package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.identity.NodeKey;
import dev.weft.node.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class RestartTest {
  @TempDir
  Path dir;

  @Test
  void exposesForwardsAndAliasesSurviveARestart() throws Exception {
    String peer = NodeKey.generate().identity().toString();
    String identity;
    try (Weft.RunningNode node = new Weft.RunningNode(dir)) {
      identity = node.identity;
      assertEquals(0, node.weft("alias", "set", "carol", peer).code());
      assertEquals(0, node.weft("expose", "web", "--to", "127.0.0.1:8080", "--public").code());
      assertEquals(0, node.weft("forward", "127.0.0.1:0", "carol", "web").code());
    }
    assertFalse(Files.exists(dir.resolve("admin.json")), "a clean stop removes the admin file");
    Weft.Output stopped = Weft.run(dir, "status");
    assertEquals(1, stopped.code());
    assertEquals("weft: no node is running for " + dir, stopped.err().trim());

    try (Weft.RunningNode node = new Weft.RunningNode(dir)) {
      assertEquals(identity, node.identity);
      JsonNode status = Json.mapper().readTree(node.weft("status", "--json").out());
      assertEquals(1, status.get("exposes").asInt());
      assertEquals(1, status.get("forwards").asInt());
      assertTrue(node.weft("alias", "ls").out().contains("carol"));
    }
  }
}
