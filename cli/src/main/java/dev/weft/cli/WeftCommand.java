package dev.weft.cli;

import dev.weft.identity.Aliases;
import dev.weft.identity.Identity;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** What every subcommand of {@code weft} can reach: the data directory, output, admin API, aliases. */
abstract class WeftCommand implements Runnable {
  @ParentCommand
  private Object parent;

  @Spec
  CommandLine.Model.CommandSpec spec;

  private Aliases aliases;

  Main main() {
    Object p = parent;
    while (!(p instanceof Main)) {
      p = ((WeftCommand) p).parent;
    }
    return (Main) p;
  }

  Path dataDir() {
    return main().dataDir();
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  AdminClient admin() {
    return main().admin();
  }

  Aliases aliases() {
    if (aliases == null) {
      try {
        aliases = Aliases.load(dataDir());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return aliases;
  }

  /** An identity or alias given on the command line. */
  Identity peer(String text) {
    return aliases().resolve(text);
  }

  /** An endpoint given on the command line: a relayed one may name its relay by alias. */
  String endpoint(String text) {
    String prefix = "relay:";
    int at = text.indexOf('@');
    return text.startsWith(prefix) && at > 0
        ? prefix + peer(text.substring(prefix.length(), at)) + text.substring(at) : text;
  }

  /** The alias of {@code peer} if it has one, else its short form. */
  String name(Identity peer) {
    return aliases().nameOf(peer).orElse(peer.shortText());
  }
}
