package dev.weft.it.faults;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.node.Json;
import java.io.IOException;

/** The stream a node's first session sends on, as {@code weft sessions} and {@code weft streams} list them. */
record Carrier(String stream, String localHost, String remoteHost, String state) {
  static Carrier of(NetnsNode node) throws IOException {
    String stream = Json.mapper().readTree(node.cli("sessions", "--json")).get(0).get("stream").asText();
    for (JsonNode s : Json.mapper().readTree(node.cli("streams", "--json"))) {
      if (s.get("id").asText().equals(stream)) {
        return new Carrier(stream, host(s.get("local").asText()), host(s.get("remote").asText()), s.get("state").asText());
      }
    }
    throw new AssertionError("the session's stream " + stream + " is not listed");
  }

  private static String host(String hostPort) {
    return hostPort.substring(0, hostPort.lastIndexOf(':'));
  }

  /** Silences this stream's path between the two hosts (see Blackhole). */
  Blackhole blackhole(Hosts hosts) throws IOException {
    return Blackhole.between(hosts.pair.left(), localHost, hosts.pair.right(), remoteHost);
  }
}
