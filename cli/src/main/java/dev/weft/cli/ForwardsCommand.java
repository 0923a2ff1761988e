package dev.weft.cli;

import dev.weft.node.Forward;
import java.util.List;
import picocli.CommandLine.Command;

@Command(name = "forwards", description = "List forwards: the local address each listens on and the "
    + "peer's service its connections reach.")
final class ForwardsCommand extends ListingCommand<Forward> {
  ForwardsCommand() {
    super(Forward.class);
  }

  @Override
  String path() {
    return "/forwards";
  }

  @Override
  Table table(List<Forward> forwards) {
    Table table = new Table("LISTEN", "PEER", "SERVICE");
    for (Forward f : forwards) {
      table.row(f.bind(), name(f.peer()), f.service());
    }
    return table;
  }
}
