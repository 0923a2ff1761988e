package dev.weft.it.faults;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.node.Json;
import java.io.IOException;

/** The stream a node's first session sends on, as {@code weft sessions} and {@code weft streams} list them. */
record Carrier(String stream, String remoteHost, String state) {
  static Carrier of(NetnsNode node) throws IOException {
    String stream = Json.mapper().readTree(node.cli("sessions", "--json")).get(0).get("stream").asText();
    for (JsonNode s : Json.mapper().readTree(node.cli("streams", "--json"))) {
      if (s.get("id").asText().equals(stream)) {
        String remote = s.get("remote").asText();
        return new Carrier(stream, remote.substring(0, remote.lastIndexOf(':')), s.get("state").asText());
      }
    }
    throw new AssertionError("the session's stream " + stream + " is not listed");
  }
}
