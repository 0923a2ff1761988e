package dev.weft.it.faults;

import dev.weft.it.netns.Command;
import dev.weft.it.netns.Namespace;
import java.io.IOException;
import java.time.Duration;

/**
 * An nftables rule in a namespace that drops every packet to and from one remote host, telling
 * nobody: the path goes silent, the sockets stay open. Closing it lets the packets through again.
 */
final class Blackhole implements AutoCloseable {
  private static final Duration LIMIT = Duration.ofSeconds(10);
  private static final String TABLE = "blackhole";

  private final Namespace namespace;

  private Blackhole(Namespace namespace) {
    this.namespace = namespace;
  }

  static Blackhole on(Namespace namespace, String remote) throws IOException {
    Blackhole hole = new Blackhole(namespace);
    hole.nft("add", "table", "ip", TABLE);
    hole.nft("add", "chain", "ip", TABLE, "out", "{ type filter hook output priority 0 ; }");
    hole.nft("add", "chain", "ip", TABLE, "in", "{ type filter hook input priority 0 ; }");
    hole.nft("add", "rule", "ip", TABLE, "out", "ip", "daddr", remote, "drop");
    hole.nft("add", "rule", "ip", TABLE, "in", "ip", "saddr", remote, "drop");
    return hole;
  }

  @Override
  public void close() throws IOException {
    nft("delete", "table", "ip", TABLE);
  }

  private void nft(String... args) throws IOException {
    String[] argv = new String[args.length + 1];
    argv[0] = "nft";
    System.arraycopy(args, 0, argv, 1, args.length);
    Command.Result result = namespace.run(LIMIT, argv);
    if (!result.ok()) {
      throw new IOException(String.join(" ", argv) + ": " + result.output());
    }
  }
}
