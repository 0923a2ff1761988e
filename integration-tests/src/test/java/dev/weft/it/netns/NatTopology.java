package dev.weft.it.netns;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Two hosts behind NAT and a public one, in network namespaces joined by veth pairs:
 *
 * <pre>
 *  a 192.168.1.2 ── 192.168.1.1 nat1 203.0.113.11 ─┐
 *                                                  ├─ br0 203.0.113.1 r (the public host)
 *  b 192.168.2.2 ── 192.168.2.1 nat2 203.0.113.12 ─┘
 * </pre>
 *
 * Each router masquerades what leaves on its public side (nftables, the kernel's NAT): the public
 * host sees only the routers' addresses, and nothing reaches a or b unless they opened it. As a
 * home router's firewall does, each drops new connections from its public side to itself: without
 * that, a peer's hole-punching datagram that arrives first creates a conntrack entry for the
 * router itself, and the router then maps the host's own datagram to that peer to another port
 * (docs/nat.md). {@link Mapping} chooses how the routers map ports. Only
 * TEST-NET-3 and private addresses that exist inside the namespaces are used; nothing outside
 * them changes. {@link #close()} removes them, a shutdown hook does if a test never gets there,
 * and ones left by a killed JVM are removed by the next {@link #create()}.
 */
public final class NatTopology implements AutoCloseable {
  /** The public host's address. */
  public static final String PUBLIC = "203.0.113.1";
  /** The address of a (behind the first router) and b (behind the second) on their own networks. */
  public static final String A = "192.168.1.2";
  public static final String B = "192.168.2.2";
  /** The routers' public sides: where the relay sees a and b. */
  public static final String NAT1 = "203.0.113.11";
  public static final String NAT2 = "203.0.113.12";
  private static final String PREFIX = "weft-nat-";
  private static final Pattern OURS = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-\\d+-\\w+");
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static final Duration LIMIT = Duration.ofSeconds(10);

  private final Namespace publicHost;
  private final Namespace a;
  private final Namespace b;
  private final List<Namespace> all;
  private final Thread shutdownHook = new Thread(this::remove, "nat-cleanup");
  private boolean closed;

  /** How the routers map a host's UDP and TCP ports to their public side. */
  public enum Mapping {
    /** Linux masquerade: the host's port is kept when free, the same for every destination (cone-like). */
    CONE(""),
    /** A random port for every new destination (symmetric): hole punching cannot work. */
    SYMMETRIC(" fully-random");

    private final String flags;

    Mapping(String flags) {
      this.flags = flags;
    }
  }

  private final Mapping mapping;

  private NatTopology(String base, Mapping mapping) {
    this.mapping = mapping;
    publicHost = new Namespace(base + "-r", PUBLIC);
    a = new Namespace(base + "-a", A);
    b = new Namespace(base + "-b", B);
    all = List.of(publicHost, new Namespace(base + "-nat1", NAT1),
        new Namespace(base + "-nat2", NAT2), a, b);
  }

  /** Empty when the tools are here ({@code nft}, {@code tcpdump}); else what is missing. */
  public static Optional<String> missingTools() throws IOException {
    for (String tool : new String[] {"nft", "tcpdump"}) {
      if (!Command.of("sh", "-c", "command -v " + tool).run(LIMIT).ok()) {
        return Optional.of(tool + " is not installed (Debian: nftables, tcpdump)");
      }
    }
    return Optional.empty();
  }

  /** Skips the calling test, with the reason, unless namespaces and the NAT tools are here. */
  public static void assumeUsable() throws IOException {
    NetnsAvailability.assumeAvailable();
    Optional<String> missing = missingTools();
    Assumptions.assumeTrue(missing.isEmpty(), () -> "NAT tests skipped: " + missing.orElseThrow());
  }

  public static NatTopology create() throws IOException {
    return create(Mapping.CONE);
  }

  public static NatTopology create(Mapping mapping) throws IOException {
    removeAbandoned();
    NatTopology topology = new NatTopology(PREFIX + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet(),
        mapping);
    Runtime.getRuntime().addShutdownHook(topology.shutdownHook);
    try {
      topology.build();
    } catch (IOException | RuntimeException e) {
      topology.close();
      throw e;
    }
    return topology;
  }

  private void build() throws IOException {
    for (Namespace n : all) {
      Command.of("ip", "netns", "add", n.name()).check(LIMIT);
      ip(n, "link", "set", "lo", "up");
    }
    ip(publicHost, "link", "add", "br0", "type", "bridge");
    ip(publicHost, "addr", "add", PUBLIC + "/24", "dev", "br0");
    ip(publicHost, "link", "set", "br0", "up");
    router(all.get(1), a, "1");
    router(all.get(2), b, "2");
  }

  /** Router {@code nat} on the public bridge, with {@code host} behind it on 192.168.N.0/24. */
  private void router(Namespace nat, Namespace host, String n) throws IOException {
    veth(nat, "wan0", publicHost, "port" + n);
    ip(publicHost, "link", "set", "port" + n, "master", "br0");
    ip(nat, "addr", "add", nat.address() + "/24", "dev", "wan0");
    veth(host, "lan0", nat, "lan0");
    ip(nat, "addr", "add", "192.168." + n + ".1/24", "dev", "lan0");
    ip(host, "addr", "add", host.address() + "/24", "dev", "lan0");
    ip(host, "route", "add", "default", "via", "192.168." + n + ".1");
    nat.run(LIMIT, "sysctl", "-qw", "net.ipv4.ip_forward=1");
    nat.nft("add table ip nat; "
        + "add chain ip nat post { type nat hook postrouting priority srcnat; }; "
        + "add rule ip nat post oifname \"wan0\" masquerade" + mapping.flags + "; "
        + "add table ip fw; "
        + "add chain ip fw inbound { type filter hook input priority filter; }; "
        + "add rule ip fw inbound iifname \"wan0\" ct state new drop; "
        + "add chain ip fw transit { type filter hook forward priority filter; }");
  }

  /**
   * Drops ({@code cut}) or lets through again UDP from each router's host to the other router: no
   * hole punch can succeed meanwhile. Relays are reached over TCP, which this leaves alone.
   */
  public void cutUdpBetweenHosts(boolean cut) throws IOException {
    for (Namespace nat : List.of(all.get(1), all.get(2))) {
      String other = nat == all.get(1) ? NAT2 : NAT1;
      nat.nft(cut ? "add rule ip fw transit ip daddr " + other + " udp dport 1-65535 drop" : "flush chain ip fw transit");
    }
  }

  /** A veth pair with one end in each namespace, both up. */
  private static void veth(Namespace one, String oneName, Namespace other, String otherName) throws IOException {
    String tmp = "wn" + Long.toString(System.nanoTime() % 100_000_000L, 36);
    Command.of("ip", "link", "add", tmp + "x", "type", "veth", "peer", "name", tmp + "y").check(LIMIT);
    Command.of("ip", "link", "set", tmp + "x", "netns", one.name()).check(LIMIT);
    Command.of("ip", "link", "set", tmp + "y", "netns", other.name()).check(LIMIT);
    ip(one, "link", "set", tmp + "x", "name", oneName);
    ip(other, "link", "set", tmp + "y", "name", otherName);
    ip(one, "link", "set", oneName, "up");
    ip(other, "link", "set", otherName, "up");
  }

  private static void ip(Namespace n, String... args) throws IOException {
    String[] argv = new String[args.length + 3];
    argv[0] = "ip";
    argv[1] = "-n";
    argv[2] = n.name();
    System.arraycopy(args, 0, argv, 3, args.length);
    Command.of(argv).check(LIMIT);
  }

  /** The public host (where a relay runs). */
  public Namespace publicHost() {
    return publicHost;
  }

  public Namespace a() {
    return a;
  }

  public Namespace b() {
    return b;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    remove();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run
    }
  }

  private void remove() {
    all.forEach(Namespace::delete);
  }

  private static void removeAbandoned() throws IOException {
    for (String line : Command.of("ip", "netns", "list").check(LIMIT).split("\n")) {
      Matcher m = OURS.matcher(line.split(" ")[0]);
      if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
        Namespace.remove(m.group(0));
      }
    }
  }
}
