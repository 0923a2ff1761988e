package dev.weft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.node.Json;
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
    JsonNode answer = fetch();
    if (json) {
      out().println(answer.toPrettyString());
      return;
    }
    List<T> items = Json.mapper().convertValue(answer,
        Json.mapper().getTypeFactory().constructCollectionType(List.class, type));
    table(items).print(out());
  }

  JsonNode fetch() {
    return admin().get(path());
  }
}
