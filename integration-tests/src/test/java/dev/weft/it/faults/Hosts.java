package dev.weft.it.faults;

import dev.weft.cli.Main;
import dev.weft.it.netns.Echo;
import dev.weft.it.netns.NamespacePair;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Two weft nodes in two network namespaces joined by two independent paths: the emulated wire
 * carries a KCP stream (so loss, delay, reordering and duplication hit it), a veth pair carries a
 * TCP stream. The right node exposes an echo service, the left forwards a local port to it, and
 * the left node's events are watched.
 */
final class Hosts implements AutoCloseable {
  static final int FORWARD_PORT = 7100;
  private static final int ECHO_PORT = 7000;
  static final int WEFT_PORT = 7411;

  final NamespacePair pair;
  /** The second path, null for {@link #overTheWire}. */
  final SecondPath path;
  final NetnsNode left;
  final NetnsNode right;
  private final BlockingQueue<String> events = new LinkedBlockingQueue<>();

  private Hosts(NamespacePair pair, SecondPath path, NetnsNode left, NetnsNode right) {
    this.pair = pair;
    this.path = path;
    this.left = left;
    this.right = right;
  }

  /** Joined by a KCP stream over the emulated wire and a TCP one over a second path. */
  static Hosts start(Path dir, String... leftOptions) throws Exception {
    return start(dir, true, leftOptions);
  }

  /**
   * As {@link #start}, but the nodes are joined only by one TCP stream over the emulated wire
   * (there is no second path): the left host can then move to another address under it.
   */
  static Hosts overTheWire(Path dir) throws Exception {
    return start(dir, false);
  }

  /** {@code leftOptions}: more {@code weft run} options for the left node. */
  private static Hosts start(Path dir, boolean twoPaths, String... leftOptions) throws Exception {
    NamespacePair pair = NamespacePair.create();
    try {
      SecondPath path = twoPaths ? SecondPath.add(pair) : null;
      String wire = pair.right().address() + ":" + WEFT_PORT;
      NetnsNode right = new NetnsNode(pair.right(), dir.resolve("right"), twoPaths
          ? new String[] {"kcp:" + wire, "tcp:" + SecondPath.RIGHT + ":" + WEFT_PORT} : new String[] {"tcp:" + wire})
          .start();
      NetnsNode left = new NetnsNode(pair.left(), dir.resolve("left"), "tcp:127.0.0.1:" + WEFT_PORT)
          .withOptions(leftOptions).start();
      Hosts hosts = new Hosts(pair, path, left, right);
      hosts.startEcho();
      right.cli("expose", "echo", "--to", "127.0.0.1:" + ECHO_PORT, "--allow", left.identity);
      hosts.watchEvents();
      if (twoPaths) {
        hosts.linkKcp();
        hosts.linkTcp();
      } else {
        left.cli("link", right.identity, "tcp:" + wire);
      }
      left.cli("forward", "127.0.0.1:" + FORWARD_PORT, right.identity, "echo");
      return hosts;
    } catch (Exception | AssertionError e) {
      pair.close();
      throw e;
    }
  }

  private void startEcho() throws Exception {
    Process echo = pair.right().startJava(Echo.class, "127.0.0.1", String.valueOf(ECHO_PORT));
    BufferedReader out = new BufferedReader(new InputStreamReader(echo.getInputStream(), StandardCharsets.UTF_8));
    String first = CompletableFuture.supplyAsync(() -> {
      try {
        return out.readLine();
      } catch (IOException e) {
        return e.toString();
      }
    }).get(60, TimeUnit.SECONDS);
    if (!"listening".equals(first)) {
      throw new AssertionError("echo did not start: " + first);
    }
  }

  /** Collects the left node's events, one JSON object per line. */
  private void watchEvents() throws IOException {
    Process watcher = pair.left().startJava(Main.class, "--data", left.data.toString(), "events", "--json");
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(watcher.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = out.readLine()) != null; ) {
          events.add(line);
        }
      } catch (IOException ended) {
        // the watcher ends with the namespace
      }
    }, "left-events");
    reader.setDaemon(true);
    reader.start();
  }

  /** Waits for the next event of the left node matching {@code match}; returns its JSON line. */
  String awaitEvent(Predicate<String> match, Duration within, String what) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    List<String> skipped = new ArrayList<>();
    for (long left = within.toNanos(); left > 0; left = deadline - System.nanoTime()) {
      String event = events.poll(left, TimeUnit.NANOSECONDS);
      if (event != null && match.test(event)) {
        return event;
      }
      if (event != null) {
        skipped.add(event);
      }
    }
    throw new AssertionError("no event within " + within + ": " + what + "; the left node said meanwhile:\n"
        + String.join("\n", skipped));
  }

  /** A KCP stream over the emulated wire. */
  String linkKcp() throws IOException {
    return left.cli("link", right.identity, "kcp:" + pair.right().address() + ":" + WEFT_PORT);
  }

  /** A TCP stream over the veth path. */
  String linkTcp() throws IOException {
    return left.cli("link", right.identity, "tcp:" + SecondPath.RIGHT + ":" + WEFT_PORT);
  }

  Transfer transfer() throws IOException {
    return Transfer.start(pair.left(), FORWARD_PORT);
  }

  @Override
  public void close() {
    pair.close();
  }
}
