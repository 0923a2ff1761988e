package dev.weft.cli;

import dev.weft.node.admin.PingResult;
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
    byte[] results = admin().post(path, java.util.Map.of());
    if (json) {
      out().println(AdminJson.pretty(results));
      return;
    }
    Table table = new Table("STREAM", "TRANSPORT", "RTT");
    for (PingResult r : AdminJson.list(PingResult.class, results)) {
      table.row(r.stream(), r.transport(), Human.micros(r.rttMicros()));
    }
    table.print(out());
  }
}
