package dev.weft.cli;

import dev.weft.node.Forward;
import dev.weft.node.HostPort;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "forward", description = "Listen on [BIND_HOST:]PORT (default host 127.0.0.1); each "
    + "connection becomes a session to PEER's SERVICE (like ssh -L). Kept across restarts.")
final class ForwardCommand extends WeftCommand {
  @Parameters(index = "0", paramLabel = "[BIND_HOST:]PORT")
  String bind;

  @Parameters(index = "1", paramLabel = "PEER")
  String peer;

  @Parameters(index = "2", paramLabel = "SERVICE")
  String service;

  @Override
  public void run() {
    HostPort address = bind.contains(":") ? HostPort.parse(bind)
        : new HostPort("127.0.0.1", HostPort.parsePort(bind));
    Forward forward = new Forward(address, peer(peer), service);
    out().println(AdminJson.object(admin().post("/forwards", forward)).get("bind"));
  }
}
