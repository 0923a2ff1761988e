package dev.weft.cli;

import dev.weft.node.admin.SessionInfo;
import java.util.List;
import picocli.CommandLine.Command;

@Command(name = "sessions", description = "List sessions, the stream each is on and how often it moved.")
final class SessionsCommand extends ListingCommand<SessionInfo> {
  SessionsCommand() {
    super(SessionInfo.class);
  }

  @Override
  String path() {
    return "/sessions";
  }

  @Override
  Table table(List<SessionInfo> sessions) {
    Table table = new Table("SESSION", "PEER", "SERVICE", "DIR", "STATE", "STREAM", "MOVES", "IN",
        "OUT", "AGE");
    for (SessionInfo s : sessions) {
      table.row(s.id(), name(s.peer()), s.service(), s.inbound() ? "in" : "out", s.state(),
          s.stream(), s.migrations(), Human.bytes(s.bytesIn()), Human.bytes(s.bytesOut()),
          Human.since(s.opened()));
    }
    return table;
  }
}
