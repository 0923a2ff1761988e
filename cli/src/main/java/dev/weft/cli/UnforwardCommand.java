package dev.weft.cli;

import dev.weft.node.HostPort;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "unforward", description = "Stop the forward listening on PORT.")
final class UnforwardCommand extends WeftCommand {
  @Parameters(index = "0", paramLabel = "PORT")
  String port;

  @Override
  public void run() {
    String path = "/forwards/" + HostPort.parsePort(port);
    admin().delete(path);
  }
}
