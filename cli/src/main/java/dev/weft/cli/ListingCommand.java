package dev.weft.cli;

import java.util.List;
import picocli.CommandLine.Option;

/** A command that lists things from the admin API as an aligned table, or as JSON with --json. */
abstract class ListingCommand<T> extends WeftCommand {
  @Option(names = "--json", description = "Print the node's JSON instead of a table.")
  boolean json;

  private final Class<T> type;

  ListingCommand(Class<T> type) {
    this.type = type;
  }

  /** The admin API path that lists the items. */
  abstract String path();

  abstract Table table(List<T> items);

  @Override
  public void run() {
    byte[] answer = admin().get(path());
    if (json) {
      out().println(AdminJson.pretty(answer));
      return;
    }
    table(AdminJson.list(type, answer)).print(out());
  }
}
