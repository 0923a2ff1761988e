package dev.weft.cli;

import dev.weft.identity.Identity;
import dev.weft.node.Expose;
import dev.weft.node.HostPort;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "expose", description = "Bridge sessions to SERVICE to a local TCP target; only "
    + "--allow'ed peers may open them, or anyone with --public. Kept across restarts.")
final class ExposeCommand extends WeftCommand {
  @Parameters(index = "0", paramLabel = "SERVICE")
  String service;

  @Option(names = "--to", required = true, paramLabel = "HOST:PORT")
  String target;

  @Option(names = "--allow", paramLabel = "PEER", description = "Identity or alias (repeatable).")
  List<String> allow = new ArrayList<>();

  @Option(names = "--public", description = "Anyone who can link may open it.")
  boolean anyone;

  @Override
  public void run() {
    Set<Identity> allowed = Set.copyOf(allow.stream().map(this::peer).toList());
    Expose expose = new Expose(service, HostPort.parse(target), allowed, anyone);
    admin().post("/exposes", expose);
  }
}
