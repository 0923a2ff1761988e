package dev.weft.it.faults;

import dev.weft.it.netns.Command;
import dev.weft.it.netns.NamespacePair;
import java.io.IOException;
import java.time.Duration;

/**
 * A second, independent path between the two hosts of a {@link NamespacePair}: a veth pair with
 * its own addresses (198.19.0.1 and .2, also in the benchmarking range). Taking it down leaves the
 * emulated wire untouched, so one stream can be cut while another carries on. The devices go away
 * with the namespaces.
 */
final class SecondPath {
  static final String LEFT = "198.19.0.1";
  static final String RIGHT = "198.19.0.2";
  private static final Duration LIMIT = Duration.ofSeconds(10);

  private final NamespacePair pair;

  private SecondPath(NamespacePair pair) {
    this.pair = pair;
  }

  static SecondPath add(NamespacePair pair) throws IOException {
    Command.of("ip", "link", "add", "path-a", "netns", pair.left().name(), "type", "veth", "peer", "name",
        "path-b", "netns", pair.right().name()).check(LIMIT);
    Command.of("ip", "-n", pair.left().name(), "addr", "add", LEFT + "/30", "dev", "path-a").check(LIMIT);
    Command.of("ip", "-n", pair.right().name(), "addr", "add", RIGHT + "/30", "dev", "path-b").check(LIMIT);
    SecondPath path = new SecondPath(pair);
    path.up();
    return path;
  }

  void down() throws IOException {
    set("down");
  }

  void up() throws IOException {
    set("up");
  }

  private void set(String state) throws IOException {
    Command.of("ip", "-n", pair.left().name(), "link", "set", "path-a", state).check(LIMIT);
    Command.of("ip", "-n", pair.right().name(), "link", "set", "path-b", state).check(LIMIT);
  }

  /** Resets every TCP connection of the left host over this path at once, as a middlebox might. */
  void resetConnections() throws IOException {
    pair.left().run(LIMIT, "ss", "-K", "dst", RIGHT);
  }
}
