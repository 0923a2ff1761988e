package dev.weft.cli;

import dev.weft.identity.Identity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Local names for identities, kept in the data directory; usable wherever a PEER is expected. */
@Command(name = "alias", description = "Name peers: alias set NAME PEER, alias ls, alias rm NAME.",
    subcommands = {AliasCommand.Set.class, AliasCommand.List.class, AliasCommand.Remove.class})
final class AliasCommand extends WeftCommand {
  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(),
        "alias needs a subcommand: set, ls or rm");
  }

  @Command(name = "set", description = "Name PEER (an identity) NAME.")
  static final class Set extends WeftCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "PEER")
    String peer;

    @Override
    public void run() {
      try {
        aliases().set(name, Identity.parse(peer));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Command(name = "ls", description = "List aliases.")
  static final class List extends WeftCommand {
    @Option(names = "--json", description = "Print {name: identity} as JSON.")
    boolean json;

    @Override
    public void run() {
      Map<String, Identity> all = aliases().all();
      if (json) {
        out().println(dev.weft.node.Json.mapper().valueToTree(all).toPrettyString());
        return;
      }
      Table table = new Table("NAME", "IDENTITY");
      all.forEach(table::row);
      table.print(out());
    }
  }

  @Command(name = "rm", description = "Remove alias NAME.")
  static final class Remove extends WeftCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public void run() {
      try {
        if (!aliases().remove(name)) {
          throw new Failure("no alias " + name);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
