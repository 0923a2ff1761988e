package dev.weft.cli;

import dev.weft.identity.KeyFile;
import dev.weft.identity.KeyFileException;
import dev.weft.identity.NodeKey;
import java.io.UncheckedIOException;
import picocli.CommandLine.Command;

@Command(name = "init", description = "Create this node's identity in the data directory (never overwrites).")
final class InitCommand extends WeftCommand {
  @Override
  public void run() {
    try {
      NodeKey key = KeyFile.create(dataDir());
      out().println(key.identity());
    } catch (KeyFileException e) {
      throw new UncheckedIOException(e);
    }
  }
}
