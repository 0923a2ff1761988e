package dev.weft.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "unlink", description = "Close STREAM; with --drain, first move its sessions to "
    + "another stream to the same peer.")
final class UnlinkCommand extends WeftCommand {
  @Parameters(index = "0", paramLabel = "STREAM")
  String stream;

  @Option(names = "--drain", description = "Migrate the stream's sessions before closing it.")
  boolean drain;

  @Override
  public void run() {
    String path = "/streams/" + Ids.check(stream, "stream") + (drain ? "?drain=true" : "");
    admin().delete(path);
  }
}
