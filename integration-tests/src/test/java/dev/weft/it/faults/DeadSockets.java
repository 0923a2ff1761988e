package dev.weft.it.faults;

import dev.weft.it.netns.Namespace;
import dev.weft.it.netns.NamespacePair;
import java.io.IOException;
import java.util.List;

/**
 * The left host loses its sockets to the right node at once, as when a host's sockets are
 * destroyed: nftables rules reset the left host's TCP connection to the right node locally (it
 * notices; the right node hears nothing and keeps a zombie) and drop the KCP stream's UDP both ways
 * on arrival (a zombie at both ends: dropping on the way out would fail the left host's sends with
 * EPERM, which it would notice). {@code ss -K} would be the direct way, but it does not destroy
 * sockets on every kernel. Each half can be lifted on its own; the rules go away with the
 * namespaces.
 */
final class DeadSockets {
  private static final String TABLE = "weft_dead_sockets";

  private final NamespacePair pair;

  private DeadSockets(NamespacePair pair) {
    this.pair = pair;
  }

  /**
   * From now on every TCP segment the left host sends to {@code tcpPeer}:{@code port} resets its
   * own connection, and no datagram between the wire addresses of the pair and {@code port} arrives.
   */
  static DeadSockets kill(NamespacePair pair, String tcpPeer, int port) throws IOException {
    DeadSockets dead = new DeadSockets(pair);
    String p = String.valueOf(port);
    for (Namespace host : List.of(pair.left(), pair.right())) {
      host.nft("add", "table", "inet", TABLE);
      host.nft("add", "chain", "inet", TABLE, "drop_udp", "{ type filter hook input priority 0 ; }");
    }
    pair.left().nft("add", "rule", "inet", TABLE, "drop_udp", "ip", "saddr", pair.right().address(), "udp", "sport", p, "drop");
    pair.right().nft("add", "rule", "inet", TABLE, "drop_udp", "ip", "saddr", pair.left().address(), "udp", "dport", p, "drop");
    pair.left().nft("add", "chain", "inet", TABLE, "reset_tcp", "{ type filter hook output priority 0 ; }");
    pair.left().nft("add", "rule", "inet", TABLE, "reset_tcp", "ip", "daddr", tcpPeer, "tcp", "dport", p,
        "reject", "with", "tcp", "reset");
    return dead;
  }

  /** TCP to the right node works again (a fresh connection can be made; the old one stays dead). */
  void tcpBack() throws IOException {
    pair.left().nft("flush", "chain", "inet", TABLE, "reset_tcp");
  }

  /** The KCP path carries datagrams again. */
  void udpBack() throws IOException {
    pair.left().nft("flush", "chain", "inet", TABLE, "drop_udp");
    pair.right().nft("flush", "chain", "inet", TABLE, "drop_udp");
  }

}
