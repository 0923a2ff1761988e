package dev.weft.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "reset", description = "Reset SESSION now: both directions end and the peer is told why.")
final class ResetCommand extends WeftCommand {
  @Parameters(index = "0", paramLabel = "SESSION")
  String session;

  @Option(names = "--reason", paramLabel = "TEXT",
      description = "What the peer is told (default: reset by the node's operator).")
  String reason;

  @Override
  public void run() {
    String path = "/sessions/" + Ids.check(session, "session")
        + (reason == null ? "" : "?reason=" + URLEncoder.encode(reason, StandardCharsets.UTF_8));
    admin().delete(path);
  }
}
