package dev.weft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "ping", description = "Send a Ping on each stream to PEER and show its round "
    + "trip (- if no Pong came in time).")
final class PingCommand extends WeftCommand {
  @Parameters(index = "0", paramLabel = "PEER")
  String peer;

  @Option(names = "--json", description = "Print the node's JSON.")
  boolean json;

  @Override
  public void run() {
    String path = "/peers/" + peer(peer) + "/ping";
    JsonNode results = admin().post(path, java.util.Map.of());
    if (json) {
      out().println(results.toPrettyString());
      return;
    }
    Table table = new Table("STREAM", "TRANSPORT", "RTT");
    for (JsonNode r : results) {
      table.row(r.path("stream").asText(), r.path("transport").asText(),
          Human.micros(r.path("rttMicros").asLong()));
    }
    table.print(out());
  }
}
