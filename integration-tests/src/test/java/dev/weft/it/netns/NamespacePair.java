package dev.weft.it.netns;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Two test hosts: network namespaces joined by an emulated wire, with addresses from 198.18.0.0/15
 * (reserved for benchmarking, RFC 2544) that exist only inside them. Nothing outside the two
 * namespaces is changed: the host's interfaces, addresses and routes are never touched.
 *
 * <pre>{@code
 * NetnsAvailability.assumeAvailable();
 * try (NamespacePair pair = NamespacePair.create()) {
 *   pair.impair(Impairment.none().withDelay(Duration.ofMillis(25)).withLoss(1));
 *   Process server = pair.right().start("weft", "run", "--listen", "tcp:" + pair.right().address() + ":7411");
 *   ...
 * }
 * }</pre>
 * {@link #close()} ends every program started in the namespaces and removes them; a JVM shutdown
 * hook does the same if a test never gets there, and pairs left by a killed JVM are removed by the
 * next {@link #create()}.
 */
public final class NamespacePair implements AutoCloseable {
  static final String PREFIX = "weft-it-";
  private static final Pattern OURS = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-\\d+-[ab]");
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static final String LEFT_ADDRESS = "198.18.0.1";
  private static final String RIGHT_ADDRESS = "198.18.0.2";

  private final Namespace left;
  private final Namespace right;
  private final Thread shutdownHook = new Thread(this::remove, "netns-cleanup");
  private Wire wire;
  private boolean closed;

  private NamespacePair(String base) {
    this.left = new Namespace(base + "-a", LEFT_ADDRESS);
    this.right = new Namespace(base + "-b", RIGHT_ADDRESS);
  }

  /** Creates both namespaces and the wire between them, unimpaired. */
  public static NamespacePair create() throws IOException {
    removeAbandoned();
    NamespacePair pair = new NamespacePair(PREFIX + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet());
    Runtime.getRuntime().addShutdownHook(pair.shutdownHook);
    try {
      pair.left.create(RIGHT_ADDRESS);
      pair.right.create(LEFT_ADDRESS);
      pair.wire = Wire.connect(Wire.script().orElseThrow(() -> new IOException("bench/tools/wire.py not found")),
          pair.left, pair.right);
    } catch (IOException | RuntimeException e) {
      pair.close();
      throw e;
    }
    return pair;
  }

  public Namespace left() {
    return left;
  }

  public Namespace right() {
    return right;
  }

  /** Applies {@code impairment} to both directions (so the round trip has twice its delay). */
  public void impair(Impairment impairment) throws IOException {
    wire.impair("both", impairment);
  }

  /** Applies {@code impairment} only to packets sent by {@code from}. */
  public void impair(Namespace from, Impairment impairment) throws IOException {
    wire.impair(from == left ? "a>b" : "b>a", impairment);
  }

  /** A perfect wire again, both ways. */
  public void clearImpairment() throws IOException {
    impair(Impairment.none());
  }

  /** Takes both ends of the wire down: the hosts can no longer reach each other. */
  public void linkDown() throws IOException {
    left.linkDown();
    right.linkDown();
  }

  public void linkUp() throws IOException {
    left.linkUp();
    right.linkUp();
  }

  /**
   * The left host moves from its address {@code from} on the wire to {@code next} (as a host that
   * roams to another network): the right host routes to it, the old address is gone, and whatever
   * was bound to it is silent from now on ({@link Namespace#address()} still names the first one).
   */
  public void moveLeft(String from, String next) throws IOException {
    Duration limit = Duration.ofSeconds(10);
    Command.of("ip", "-n", right.name(), "route", "replace", next + "/32", "dev", Namespace.DEVICE).check(limit);
    Command.of("ip", "-n", left.name(), "addr", "del", from, "peer", RIGHT_ADDRESS, "dev", Namespace.DEVICE)
        .check(limit);
    Command.of("ip", "-n", left.name(), "addr", "add", next, "peer", RIGHT_ADDRESS, "dev", Namespace.DEVICE).check(limit);
  }

  /** Ends the programs started in the namespaces, the wire, and removes both namespaces. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or about to: removing it is not allowed, and it does the same work
    }
    remove();
  }

  private synchronized void remove() {
    closed = true;
    left.delete();
    right.delete();
    if (wire != null) {
      wire.close();
    }
  }

  /** Pairs whose creating JVM no longer runs (killed before close or its shutdown hook). */
  private static void removeAbandoned() throws IOException {
    String list = Command.of("ip", "netns", "list").check(Duration.ofSeconds(10));
    for (String line : list.split("\n")) {
      String name = line.split("\\s+")[0];
      Matcher matcher = OURS.matcher(name);
      if (matcher.matches() && ProcessHandle.of(Long.parseLong(matcher.group(1))).isEmpty()) {
        Namespace.remove(name);
      }
    }
  }
}
