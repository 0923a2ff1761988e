package dev.weft.cli;

import dev.weft.link.Linker;
import dev.weft.mux.MuxConfig;
import dev.weft.mux.Rebalance;
import dev.weft.node.Access;
import dev.weft.node.HostPort;
import dev.weft.node.Node;
import dev.weft.node.NodeConfig;
import dev.weft.node.NodeLimits;
import dev.weft.node.RelayLimits;
import dev.weft.node.ReservedRelay;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", description = "Run the node in the foreground until SIGINT or SIGTERM.")
final class RunCommand extends WeftCommand {
  private static final NodeLimits DEFAULTS = NodeLimits.defaults();
  private static final MuxConfig MUX = NodeConfig.SMALL_NODE_MUX;
  private static final RelayLimits RELAY = RelayLimits.defaults();
  private static final long MIB = 1024 * 1024;
  /** 1 TiB: more than any machine this runs on, far from overflowing a byte count. */
  private static final long MAX_MIB = 1024 * 1024;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show these options and exit.")
  boolean help;

  @Option(names = "--listen", paramLabel = "EP",
      description = "Listener (repeatable; default tcp:0.0.0.0:7411 and kcp:0.0.0.0:7411).")
  List<String> listen = new ArrayList<>();

  @Option(names = "--admin", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:7412",
      description = "Admin API address (default ${DEFAULT-VALUE}; port 0 picks one).")
  String admin;

  @Option(names = "--admin-remote", description = "Allow a non-loopback --admin address.")
  boolean adminRemote;

  @Option(names = "--admin-origin", paramLabel = "URL",
      description = "A web origin (http(s)://host[:port]) whose pages may open WebSockets on the "
          + "admin API, besides the admin address's own (repeatable).")
  List<String> adminOrigins = new ArrayList<>();

  @Option(names = "--metrics", paramLabel = "[HOST:]PORT",
      description = "Also serve GET /metrics (Prometheus) here, read-only and without a token; a PORT alone "
          + "binds 127.0.0.1. The admin API serves it anyway, with its token.")
  String metrics;

  @Option(names = "--max-pending-handshakes", paramLabel = "N",
      description = "Inbound handshakes in progress at once (default ${DEFAULT-VALUE}).")
  int pendingHandshakes = DEFAULTS.pendingHandshakes();

  @Option(names = "--handshake-rate", paramLabel = "N",
      description = "New inbound connections per second from one address (default ${DEFAULT-VALUE}).")
  int handshakeRate = DEFAULTS.handshakesPerSecond();

  @Option(names = "--handshake-burst", paramLabel = "N",
      description = "How many of those may come at once (default ${DEFAULT-VALUE}).")
  int handshakeBurst = DEFAULTS.handshakeBurst();

  @Option(names = "--max-streams-per-peer", paramLabel = "N",
      description = "Streams to one peer (default ${DEFAULT-VALUE}).")
  int streamsPerPeer = DEFAULTS.streamsPerPeer();

  @Option(names = "--max-sessions", paramLabel = "N",
      description = "Sessions with all peers together (default ${DEFAULT-VALUE}).")
  int sessions = DEFAULTS.sessionsPerNode();

  @Option(names = "--memory-budget-mib", paramLabel = "MIB",
      description = "Receive buffers of all sessions together, and separately their unacknowledged sent data, "
          + "in MiB (default ${DEFAULT-VALUE}); a quarter is kept for peers below their guaranteed share.")
  long memoryMib = DEFAULTS.memoryBudget() / MIB;

  @Option(names = "--max-sessions-per-peer", paramLabel = "N",
      description = "Sessions with one peer; both ends' caps apply (default ${DEFAULT-VALUE}).")
  int sessionsPerPeer = MUX.maxSessionsPerPeer();

  @Option(names = "--max-sessions-per-stream", paramLabel = "N",
      description = "Sessions carried by one stream (default ${DEFAULT-VALUE}).")
  int sessionsPerStream = MUX.maxSessionsPerStream();

  @Option(names = "--max-pending-opens", paramLabel = "N",
      description = "Sessions to one peer waiting for its answer (default ${DEFAULT-VALUE}).")
  int pendingOpens = MUX.maxPendingOpens();

  @Option(names = "--peer-memory-budget-mib", paramLabel = "MIB",
      description = "Receive buffers of one peer's sessions together, and separately their unacknowledged "
          + "sent data, in MiB (default ${DEFAULT-VALUE}). A session's window is its share of what is left, "
          + "so the cap's sessions all fit.")
  long peerMemoryMib = MUX.memoryBudget() / MIB;

  @Option(names = "--rebalance",
      description = "Move sessions off a stream whose round trip grows well past another stream's "
          + "to the same peer (2x and 20 ms worse for 3 pings in a row; a moved session then stays 30 s).")
  boolean rebalance;

  @Option(names = "--failover-grace", paramLabel = "SECONDS",
      description = "How long the sessions of a lost stream wait for another stream to the peer, "
          + "which the node tries to link again (default ${DEFAULT-VALUE}; 0 turns failover off).")
  long failoverGrace = MUX.failoverGrace().toSeconds();

  @Option(names = "--cookie-threshold", paramLabel = "N",
      description = "New KCP sources a second beyond which each must first echo a cookie, proving it "
          + "receives at its address (default ${DEFAULT-VALUE}; 0: always).")
  int cookieThreshold = NodeConfig.DEFAULT_COOKIE_THRESHOLD;

  @Option(names = "--rekey-after-mib", paramLabel = "MIB",
      description = "A stream changes its sending key after this many MiB, at most 2048 (default ${DEFAULT-VALUE}).")
  long rekeyMib = NodeConfig.DEFAULT_REKEY_BYTES / MIB;

  @Option(names = "--rekey-interval", paramLabel = "SECONDS",
      description = "A stream changes its sending key after this many seconds, or after --rekey-after-mib, "
          + "whichever comes first (default ${DEFAULT-VALUE}).")
  long rekeySeconds = NodeConfig.DEFAULT_REKEY_INTERVAL.toSeconds();

  @Option(names = "--relay", description = "Relay for other peers: grant reservations and carry relayed "
      + "streams to the peers that hold them (docs/nat.md).")
  boolean relay;

  @Option(names = "--reserve", paramLabel = "RELAY@EP",
      description = "Keep a reservation at the relay RELAY (identity or alias) at EP, e.g. "
          + "RELAY@tcp:relay.example.org:7411, so peers reach this node through it (repeatable; kept in the "
          + "data directory).")
  List<String> reserve = new ArrayList<>();

  @Option(names = "--relay-max-reservations", paramLabel = "N",
      description = "With --relay: peers holding a reservation at once (default ${DEFAULT-VALUE}).")
  int relayReservations = RELAY.reservations();

  @Option(names = "--relay-reservation-lifetime", paramLabel = "SECONDS",
      description = "With --relay: how long a reservation lasts unless renewed (default ${DEFAULT-VALUE}).")
  long relayLifetime = RELAY.reservationLifetime().toSeconds();

  @Option(names = "--relay-allow", paramLabel = "PEER",
      description = "With --relay: only these peers (identity or alias) may reserve (repeatable; default anyone).")
  List<String> relayAllow = new ArrayList<>();

  @Option(names = "--relay-max-streams", paramLabel = "N",
      description = "With --relay: relayed streams at once (default ${DEFAULT-VALUE}).")
  int relayStreams = RELAY.streams();

  @Option(names = "--relay-max-streams-per-peer", paramLabel = "N",
      description = "With --relay: relayed streams one peer may be an end of at once (default ${DEFAULT-VALUE}).")
  int relayStreamsPerPeer = RELAY.streamsPerPeer();

  @Option(names = "--relay-max-mib-per-stream", paramLabel = "MIB",
      description = "With --relay: MiB a relayed stream may carry, both ways, before it is closed "
          + "(default ${DEFAULT-VALUE}).")
  long relayMib = RELAY.bytesPerStream() / MIB;

  @Option(names = "--relay-max-stream-seconds", paramLabel = "SECONDS",
      description = "With --relay: how long a relayed stream may last before it is closed (default ${DEFAULT-VALUE}).")
  long relayStreamSeconds = RELAY.streamDuration().toSeconds();

  @Option(names = "--no-hole-punch",
      description = "Keep relayed streams relayed: do not try to replace them by direct ones, nor answer peers that try.")
  boolean noHolePunch;

  @Option(names = "--keep-relayed",
      description = "After a hole punch moved the sessions to the direct stream, keep the relayed stream as a standby "
          + "instead of closing it.")
  boolean keepRelayed;

  @Option(names = "--kcp-window-kib", paramLabel = "KIB",
      description = "KCP's receive window and the most its send window adapts up to: what a KCP link "
          + "may keep in flight, about its throughput x round trip; UDP socket buffers are twice it "
          + "(64..65536, default ${DEFAULT-VALUE}).")
  int kcpWindowKib = Linker.DEFAULT_KCP_WINDOW / 1024;

  @Override
  public void run() {
    Node node;
    try {
      node = Node.start(config());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      node.close();
      stopped.countDown();
    }, "weft-stop"));
    out().println("weft node " + node.identity());
    node.listeners().forEach(l -> out().println("listening on " + l));
    node.metricsAddress().ifPresent(a -> out().println("metrics on http://" + HostPort.of(a) + "/metrics"));
    node.adminAddress().ifPresent(a -> out().println("admin API on " + HostPort.of(a)));
    out().flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The node's configuration from the options; malformed values fail here, before anything starts. */
  NodeConfig config() {
    NodeConfig.Builder config = NodeConfig.builder(dataDir())
        .admin(HostPort.parse(admin), adminRemote)
        .metrics(metrics == null ? null
            : HostPort.parse(metrics.contains(":") ? metrics : "127.0.0.1:" + metrics))
        .limits(limits())
        .mux(mux())
        .cookieThreshold(notNegative("--cookie-threshold", cookieThreshold))
        .rekeyAfter(rekeyBytes(), Duration.ofSeconds(positive("--rekey-interval", rekeySeconds)))
        .kcpWindow(kcpWindow());
    List<String> endpoints = listen.isEmpty()
        ? List.of("tcp:0.0.0.0:" + NodeConfig.DEFAULT_PORT, "kcp:0.0.0.0:" + NodeConfig.DEFAULT_PORT)
        : listen;
    endpoints.forEach(config::listen);
    adminOrigins.forEach(config::adminOrigin);
    config.relay(relay, relayLimits());
    config.holePunch(!noHolePunch, keepRelayed);
    reserve.forEach(text -> config.reserve(reservedRelay(text)));
    return config.build();
  }

  private ReservedRelay reservedRelay(String text) {
    int at = text.indexOf('@');
    if (at < 0) {
      throw new IllegalArgumentException("--reserve '" + text + "': expected RELAY@tcp:HOST:PORT or RELAY@kcp:HOST:PORT");
    }
    return new ReservedRelay(peer(text.substring(0, at)), text.substring(at + 1));
  }

  private RelayLimits relayLimits() {
    Access reservers = relayAllow.isEmpty() ? Access.anyone()
        : Access.only(relayAllow.stream().map(this::peer).collect(Collectors.toSet()));
    return RELAY.withReservations(positive("--relay-max-reservations", relayReservations),
            Duration.ofSeconds(positive("--relay-reservation-lifetime", relayLifetime)), reservers)
        .withStreams(positive("--relay-max-streams-per-peer", relayStreamsPerPeer),
            positive("--relay-max-streams", relayStreams), mebibytes("--relay-max-mib-per-stream", relayMib),
            Duration.ofSeconds(positive("--relay-max-stream-seconds", relayStreamSeconds)));
  }

  private MuxConfig mux() {
    if (failoverGrace < 0) {
      throw new IllegalArgumentException("--failover-grace must not be negative");
    }
    MuxConfig mux = MUX.withFailoverGrace(Duration.ofSeconds(failoverGrace))
        .withLimits(positive("--max-sessions-per-stream", sessionsPerStream),
            positive("--max-sessions-per-peer", sessionsPerPeer),
            positive("--max-pending-opens", pendingOpens),
            mebibytes("--peer-memory-budget-mib", peerMemoryMib), MUX.maxQueuedWrites());
    return rebalance ? mux.withRebalance(Rebalance.standard()) : mux;
  }

  private NodeLimits limits() {
    return new NodeLimits(positive("--max-pending-handshakes", pendingHandshakes),
        positive("--handshake-rate", handshakeRate), positive("--handshake-burst", handshakeBurst),
        positive("--max-streams-per-peer", streamsPerPeer), positive("--max-sessions", sessions),
        mebibytes("--memory-budget-mib", memoryMib));
  }

  private long rekeyBytes() {
    long maxMib = Linker.MAX_REKEY_BYTES / MIB;
    if (rekeyMib <= 0 || rekeyMib > maxMib) {
      throw new IllegalArgumentException("--rekey-after-mib must be 1.." + maxMib + " (MiB), got " + rekeyMib);
    }
    return rekeyMib * MIB;
  }

  private int kcpWindow() {
    int min = Linker.MIN_KCP_WINDOW / 1024;
    int max = Linker.MAX_KCP_WINDOW / 1024;
    if (kcpWindowKib < min || kcpWindowKib > max) {
      throw new IllegalArgumentException("--kcp-window-kib must be " + min + ".." + max + ", got " + kcpWindowKib);
    }
    return kcpWindowKib * 1024;
  }

  private static int notNegative(String option, int value) {
    if (value < 0) {
      throw new IllegalArgumentException(option + " must not be negative, got " + value);
    }
    return value;
  }

  private static long positive(String option, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(option + " must be positive, got " + value);
    }
    return value;
  }

  private static int positive(String option, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(option + " must be positive, got " + value);
    }
    return value;
  }

  private static long mebibytes(String option, long value) {
    if (value <= 0 || value > MAX_MIB) {
      throw new IllegalArgumentException(option + " must be 1.." + MAX_MIB + " (MiB), got " + value);
    }
    return value * MIB;
  }
}
