package dev.weft.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "link", description = "Open one more stream to PEER at ENDPOINT (tcp:HOST:PORT, "
    + "kcp:HOST:PORT, or relay:RELAY@tcp:HOST:PORT through a relay PEER reserves at) and print its id; "
    + "fails if the key there is not PEER's.")
final class LinkCommand extends WeftCommand {
  @Parameters(index = "0", paramLabel = "PEER", description = "Identity or alias.")
  String peer;

  @Parameters(index = "1", paramLabel = "ENDPOINT")
  String endpoint;

  @Override
  public void run() {
    Map<String, String> request = Map.of("peer", peer(peer).toString(), "endpoint", endpoint(endpoint));
    out().println(AdminJson.object(admin().post("/streams", request)).get("id"));
  }
}
