package dev.weft.cli;

import dev.weft.identity.KeyFile;
import dev.weft.identity.KeyFileException;
import java.io.UncheckedIOException;
import picocli.CommandLine.Command;

@Command(name = "id", description = "Print this node's identity.")
final class IdCommand extends WeftCommand {
  @Override
  public void run() {
    if (!KeyFile.exists(dataDir())) {
      throw new Failure("no identity in " + dataDir() + "; run: weft init");
    }
    try {
      out().println(KeyFile.load(dataDir()).identity());
    } catch (KeyFileException e) {
      throw new UncheckedIOException(e);
    }
  }
}
