package dev.weft.cli;

import dev.weft.node.admin.PeerInfo;
import java.util.List;
import picocli.CommandLine.Command;

@Command(name = "peers", description = "List linked peers.")
final class PeersCommand extends ListingCommand<PeerInfo> {
  PeersCommand() {
    super(PeerInfo.class);
  }

  @Override
  String path() {
    return "/peers";
  }

  @Override
  Table table(List<PeerInfo> peers) {
    Table table = new Table("PEER", "IDENTITY", "STREAMS", "SESSIONS", "LINKED", "ENDPOINTS");
    for (PeerInfo p : peers) {
      table.row(name(p.peer()), p.peer(), p.streams(), p.sessions(), Human.since(p.linkedSince()),
          p.endpoints().isEmpty() ? "-" : String.join(",", p.endpoints()));
    }
    return table;
  }
}
