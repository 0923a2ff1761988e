package dev.weft.it.faults;

import dev.weft.it.netns.Command;
import dev.weft.it.netns.NamespacePair;
import java.io.IOException;
import java.time.Duration;

/**
 * The left host loses its sockets to the right node at once, as when a host's sockets are
 * destroyed: nftables rules in the left namespace reset its TCP connection to the right node
 * locally (it notices; the right node hears nothing and keeps a zombie) and drop the UDP of the
 * KCP stream both ways (a zombie at both ends). {@code ss -K} would be the direct way, but it does
 * not destroy sockets on every kernel. Each half can be lifted on its own; the rules go away with
 * the namespace.
 */
final class DeadSockets {
  private static final String TABLE = "weft_dead_sockets";
  private static final Duration LIMIT = Duration.ofSeconds(10);

  private final NamespacePair pair;

  private DeadSockets(NamespacePair pair) {
    this.pair = pair;
  }

  /** From now on, every TCP segment the left host sends to {@code tcpPeer}:{@code port} resets its own socket. */
  static DeadSockets kill(NamespacePair pair, String tcpPeer, String udpPeer, int port) throws IOException {
    DeadSockets dead = new DeadSockets(pair);
    dead.nft("add", "table", "inet", TABLE);
    dead.nft("add", "chain", "inet", TABLE, "reset_tcp", "{ type filter hook output priority 0 ; }");
    dead.nft("add", "chain", "inet", TABLE, "drop_udp_out", "{ type filter hook output priority 0 ; }");
    dead.nft("add", "chain", "inet", TABLE, "drop_udp_in", "{ type filter hook input priority 0 ; }");
    dead.nft("add", "rule", "inet", TABLE, "drop_udp_out", "ip", "daddr", udpPeer, "udp", "dport", String.valueOf(port), "drop");
    dead.nft("add", "rule", "inet", TABLE, "drop_udp_in", "ip", "saddr", udpPeer, "udp", "sport", String.valueOf(port), "drop");
    dead.nft("add", "rule", "inet", TABLE, "reset_tcp", "ip", "daddr", tcpPeer, "tcp", "dport", String.valueOf(port),
        "reject", "with", "tcp", "reset");
    return dead;
  }

  /** TCP to the right node works again (a fresh connection can be made; the old one stays dead). */
  void tcpBack() throws IOException {
    nft("flush", "chain", "inet", TABLE, "reset_tcp");
  }

  /** The KCP path carries datagrams again. */
  void udpBack() throws IOException {
    nft("flush", "chain", "inet", TABLE, "drop_udp_out");
    nft("flush", "chain", "inet", TABLE, "drop_udp_in");
  }

  private void nft(String... args) throws IOException {
    String[] argv = new String[args.length + 1];
    argv[0] = "nft";
    System.arraycopy(args, 0, argv, 1, args.length);
    Command.Result result = pair.left().run(LIMIT, argv);
    if (!result.ok()) {
      throw new IOException("nft " + String.join(" ", args) + " failed: " + result.output());
    }
  }
}
