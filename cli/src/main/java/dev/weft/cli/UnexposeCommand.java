package dev.weft.cli;

import dev.weft.node.ServiceName;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "unexpose", description = "Stop exposing SERVICE (open sessions are not cut).")
final class UnexposeCommand extends WeftCommand {
  @Parameters(index = "0", paramLabel = "SERVICE")
  String service;

  @Override
  public void run() {
    String path = "/exposes/" + ServiceName.check(service);
    admin().delete(path);
  }
}
