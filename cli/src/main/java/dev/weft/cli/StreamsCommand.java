package dev.weft.cli;

import dev.weft.node.admin.StreamInfo;
import java.util.List;
import picocli.CommandLine.Command;

@Command(name = "streams", description = "List live streams (several per peer, TCP and KCP).")
final class StreamsCommand extends ListingCommand<StreamInfo> {
  StreamsCommand() {
    super(StreamInfo.class);
  }

  @Override
  String path() {
    return "/streams";
  }

  @Override
  Table table(List<StreamInfo> streams) {
    Table table = new Table("STREAM", "PEER", "TRANSPORT", "DIR", "REMOTE", "STATE", "RTT", "SESSIONS", "AGE");
    for (StreamInfo s : streams) {
      table.row(s.id(), name(s.peer()), s.transport(), s.dialled() ? "out" : "in", s.remote(),
          s.state(), Human.micros(s.rttMicros()), s.sessions(), Human.since(s.opened()));
    }
    return table;
  }
}
