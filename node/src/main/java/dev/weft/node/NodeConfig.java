package dev.weft.node;

import dev.weft.link.Endpoint;
import dev.weft.link.Linker;
import dev.weft.mux.MuxConfig;
import dev.weft.node.admin.AllowedOrigins;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How to run a node. Only the data directory is required; {@link #builder} documents the defaults.
 *
 * @param admin where to serve the admin API, or null for none
 * @param adminRemote allow a non-loopback admin address
 * @param adminOrigins web origins besides the admin listener's own that may open its WebSockets
 * @param metrics where to serve {@code GET /metrics} alone, without a token, or null for none (the
 *     admin API serves it too, with its token)
 * @param createIdentity create the node key if the data directory has none
 * @param linkPolicy who may link in (refused peers are told why, logged and evented)
 * @param cookieThreshold new KCP sources a second beyond which each must echo a cookie first
 *     (docs/protocol.md §2.3; 0: always)
 * @param rekeyBytes bytes a stream sends under one key before it changes it (1 to 2^31)
 * @param rekeyInterval how long a stream sends under one key before it changes it: whichever of
 *     the two comes first (docs/protocol.md §6.1)
 * @param relay offer relaying to other peers ({@code weft run --relay}, docs/nat.md)
 * @param relayLimits what relaying may make this node hold
 * @param reserve relays to keep a reservation at, besides those in the data directory
 * @param kcpWindow KCP's receive window in bytes and the most its send window adapts up to, about
 *     throughput × RTT of a KCP link ({@link Linker#MIN_KCP_WINDOW} to {@link Linker#MAX_KCP_WINDOW};
 *     UDP buffers are twice it)
 * @param holePunch try to replace relayed streams this node dials by direct ones (docs/nat.md,
 *     "Hole punching"), and answer peers that try
 * @param keepRelayed after a hole punch, keep the relayed stream open as a standby instead of
 *     closing it
 */
public record NodeConfig(Path dataDir, List<Endpoint> listen, HostPort admin, boolean adminRemote,
    List<String> adminOrigins, HostPort metrics, boolean createIdentity, Access linkPolicy, MuxConfig mux,
    NodeLimits limits, int threads, Clock clock, int cookieThreshold, long rekeyBytes, Duration rekeyInterval,
    boolean relay, RelayLimits relayLimits, List<ReservedRelay> reserve, int kcpWindow,
    boolean holePunch, boolean keepRelayed) {
  /** The KCP cookie threshold by default (new cookie-less sources a second). */
  public static final int DEFAULT_COOKIE_THRESHOLD = 10;
  /** Bytes under one sending key by default: 2^30. */
  public static final long DEFAULT_REKEY_BYTES = 1L << 30;
  /** Time under one sending key by default, as WireGuard. */
  public static final Duration DEFAULT_REKEY_INTERVAL = Duration.ofMinutes(2);
  /** The default listen port of both transports. */
  public static final int DEFAULT_PORT = 7411;
  /**
   * The mux's limits for a small node (its own defaults suit a busy server): 1024 sessions per
   * stream and per peer, as many opens awaiting an answer (a burst of local connections to a
   * forward is not refused while the peer answers), 64 MiB of receive windows per peer (four
   * sessions at the 16 MiB maximum window), 1 MiB queued beyond a session's window. Sessions
   * start with a 32 KiB window, so all 1024 at once take half the budget, leaving the rest for
   * busy sessions' windows to grow (doubling while their senders wait for credit).
   */
  public static final MuxConfig SMALL_NODE_MUX = MuxConfig.defaults()
      // One chunk per session per turn is what a target socket gets in one write when many
      // sessions are busy; the kernel charges a 16 KiB write nearly what it charges 64 KiB.
      .withFrames(64 * 1024, 64 * 1024)
      .withWindows(32 * 1024, 16 * 1024 * 1024)
      .withLimits(1024, 1024, 1024, 64L * 1024 * 1024, 1024 * 1024);

  public NodeConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    listen = List.copyOf(listen);
    adminOrigins = adminOrigins.stream().map(AllowedOrigins::normalize).toList();
    Objects.requireNonNull(linkPolicy, "linkPolicy");
    Objects.requireNonNull(mux, "mux");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(clock, "clock");
    if (cookieThreshold < 0) {
      throw new IllegalArgumentException("cookie threshold must not be negative, got " + cookieThreshold);
    }
    if (rekeyBytes < 1 || rekeyBytes > Linker.MAX_REKEY_BYTES) {
      throw new IllegalArgumentException("rekey threshold must be 1 to 2^31 bytes, got " + rekeyBytes);
    }
    if (rekeyInterval == null || rekeyInterval.isNegative() || rekeyInterval.isZero()) {
      throw new IllegalArgumentException("rekey interval must be positive, got " + rekeyInterval);
    }
    Objects.requireNonNull(relayLimits, "relayLimits");
    reserve = List.copyOf(reserve);
    if (kcpWindow < Linker.MIN_KCP_WINDOW || kcpWindow > Linker.MAX_KCP_WINDOW) {
      throw new IllegalArgumentException("KCP window must be " + Linker.MIN_KCP_WINDOW / 1024 + " to "
          + Linker.MAX_KCP_WINDOW / 1024 + " KiB, got " + kcpWindow + " bytes");
    }
  }

  /**
   * Defaults: no listeners (dial-only), no admin API (no extra origins), no metrics listener, key must
   * exist, anyone may link,
   * {@link #SMALL_NODE_MUX}, {@link NodeLimits#defaults()}, one I/O thread per core.
   */
  public static Builder builder(Path dataDir) {
    return new Builder(dataDir);
  }

  /** Fluent construction of a {@link NodeConfig}. */
  public static final class Builder {
    private final Path dataDir;
    private final List<Endpoint> listen = new ArrayList<>();
    private HostPort admin;
    private boolean adminRemote;
    private final List<String> adminOrigins = new ArrayList<>();
    private HostPort metrics;
    private boolean createIdentity;
    private Access linkPolicy = Access.anyone();
    private MuxConfig mux = SMALL_NODE_MUX;
    private NodeLimits limits = NodeLimits.defaults();
    private int threads = Runtime.getRuntime().availableProcessors();
    private Clock clock = Clock.systemUTC();
    private int cookieThreshold = DEFAULT_COOKIE_THRESHOLD;
    private long rekeyBytes = DEFAULT_REKEY_BYTES;
    private Duration rekeyInterval = DEFAULT_REKEY_INTERVAL;
    private boolean relay;
    private RelayLimits relayLimits = RelayLimits.defaults();
    private final List<ReservedRelay> reserve = new ArrayList<>();
    private int kcpWindow = Linker.DEFAULT_KCP_WINDOW;
    private boolean holePunch = true;
    private boolean keepRelayed;

    private Builder(Path dataDir) {
      this.dataDir = dataDir;
    }

    /** Adds a listener, e.g. {@code tcp:0.0.0.0:7411}; port 0 picks a free port. */
    public Builder listen(String endpoint) {
      listen.add(Endpoint.parse(endpoint));
      return this;
    }

    public Builder admin(HostPort address, boolean allowRemote) {
      this.admin = address;
      this.adminRemote = allowRemote;
      return this;
    }

    /**
     * Lets web pages from {@code origin} ({@code http(s)://host[:port]}) open WebSockets on the
     * admin API; pages from the admin listener's own origin always may.
     */
    public Builder adminOrigin(String origin) {
      adminOrigins.add(origin);
      return this;
    }

    /** Serves {@code GET /metrics} alone, without a token, on {@code address} (port 0: a free one). */
    public Builder metrics(HostPort address) {
      this.metrics = address;
      return this;
    }

    public Builder createIdentity(boolean create) {
      this.createIdentity = create;
      return this;
    }

    public Builder linkPolicy(Access policy) {
      this.linkPolicy = policy;
      return this;
    }

    public Builder mux(MuxConfig config) {
      this.mux = config;
      return this;
    }

    public Builder limits(NodeLimits value) {
      this.limits = value;
      return this;
    }

    public Builder threads(int count) {
      this.threads = count;
      return this;
    }

    public Builder clock(Clock value) {
      this.clock = value;
      return this;
    }

    /** New KCP sources a second beyond which each must echo a cookie first (default 10; 0: always). */
    public Builder cookieThreshold(int perSecond) {
      this.cookieThreshold = perSecond;
      return this;
    }

    /** A stream changes its sending key after {@code bytes} or {@code interval} (default 2^30 bytes or 2 min). */
    public Builder rekeyAfter(long bytes, Duration interval) {
      this.rekeyBytes = bytes;
      this.rekeyInterval = interval;
      return this;
    }

    /** Offers relaying to other peers, within {@code limits} (default: off). */
    public Builder relay(boolean on, RelayLimits limits) {
      this.relay = on;
      this.relayLimits = limits;
      return this;
    }

    /** Keeps a reservation at {@code relay} (kept in the data directory too). */
    public Builder reserve(ReservedRelay relay) {
      reserve.add(relay);
      return this;
    }

    /** KCP's windows in bytes (default 4.5 MiB, 64 KiB to 64 MiB): size them for throughput × RTT. */
    public Builder kcpWindow(int bytes) {
      this.kcpWindow = bytes;
      return this;
    }

    /**
     * Hole punching (default on): {@code on} replaces relayed streams by direct ones when it can;
     * {@code keepRelayed} keeps the relayed stream as a standby afterwards (default: closed).
     */
    public Builder holePunch(boolean on, boolean keepRelayed) {
      this.holePunch = on;
      this.keepRelayed = keepRelayed;
      return this;
    }

    public NodeConfig build() {
      return new NodeConfig(dataDir, listen, admin, adminRemote, adminOrigins, metrics, createIdentity,
          linkPolicy, mux, limits, threads, clock, cookieThreshold, rekeyBytes, rekeyInterval, relay,
          relayLimits, reserve, kcpWindow, holePunch, keepRelayed);
    }
  }
}
