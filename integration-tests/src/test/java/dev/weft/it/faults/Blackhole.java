package dev.weft.it.faults;

import dev.weft.it.netns.Namespace;
import java.io.IOException;

/**
 * nftables rules that make the path between two hosts silent: each host drops every packet that
 * arrives from the other's address, telling nobody, and the sockets stay open. Only arriving
 * packets are dropped, as a broken path in between would: a rule on the way out makes the sender's
 * own send fail (EPERM), which a KCP stream takes as its socket failing and closes at once.
 * Closing it lets the packets through again.
 */
final class Blackhole implements AutoCloseable {
  private static final String TABLE = "blackhole";

  private final Namespace one;
  private final Namespace other;

  private Blackhole(Namespace one, Namespace other) {
    this.one = one;
    this.other = other;
  }

  /** Silences the path between {@code one} at {@code oneAddress} and {@code other} at {@code otherAddress}. */
  static Blackhole between(Namespace one, String oneAddress, Namespace other, String otherAddress) throws IOException {
    Blackhole hole = new Blackhole(one, other);
    dropFrom(one, otherAddress);
    dropFrom(other, oneAddress);
    return hole;
  }

  private static void dropFrom(Namespace namespace, String source) throws IOException {
    namespace.nft("add", "table", "ip", TABLE);
    namespace.nft("add", "chain", "ip", TABLE, "in", "{ type filter hook input priority 0 ; }");
    namespace.nft("add", "rule", "ip", TABLE, "in", "ip", "saddr", source, "drop");
  }

  @Override
  public void close() throws IOException {
    one.nft("delete", "table", "ip", TABLE);
    other.nft("delete", "table", "ip", TABLE);
  }

}
