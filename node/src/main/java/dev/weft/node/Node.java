package dev.weft.node;

import dev.weft.identity.AtomicFile;
import dev.weft.identity.Identity;
import dev.weft.identity.KeyFile;
import dev.weft.identity.NodeKey;
import dev.weft.link.Endpoint;
import dev.weft.link.HandshakeException;
import dev.weft.link.HandshakeOutcome;
import dev.weft.link.LinkEventLoops;
import dev.weft.link.Linker;
import dev.weft.link.Listener;
import dev.weft.link.RefusedException;
import dev.weft.link.Stream;
import dev.weft.link.StreamId;
import dev.weft.mux.NodeScope;
import dev.weft.mux.Reason;
import dev.weft.mux.Session;
import dev.weft.mux.SessionId;
import dev.weft.mux.SessionRejectedException;
import dev.weft.mux.SessionTable;
import dev.weft.node.admin.AdminAccess;
import dev.weft.node.admin.AdminServer;
import dev.weft.node.admin.AllowedOrigins;
import dev.weft.node.admin.MetricsServer;
import dev.weft.node.admin.NodeAdmin;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A weft node: links to peers by identity over TCP and KCP, carries sessions to their services,
 * exposes its own, and reports what happens as events. Embed it with {@link #start}; the
 * {@code weft run} command is one such embedding plus the admin API.
 */
public final class Node implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Node.class);
  private static final Duration LISTEN_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration STOP_GRACE = Duration.ofSeconds(3);

  private final NodeConfig config;
  private final NodeKey key;
  private final DataDirLock lock;
  private final Instant started;
  private final EventLoops loops;
  private final EventLoopGroup io;
  private final NioEventLoopGroup kcp;
  private final EventBus events;
  private final NodeMetrics metrics = new NodeMetrics();
  private final NodeScope scope;
  private final ExposedServices services;
  private final Peers peers;
  private final Linker linker;
  private final Forwards forwards;
  private final List<Listener> listeners = new ArrayList<>();
  private final RecordFile<Expose> exposeFile;
  private final RecordFile<Forward> forwardFile;
  private final RecordFile<KnownEndpoint> endpointFile;
  /** Null unless this node relays. */
  private final Relay relaying;
  private final Reservations reservations;
  private final RelayedLinks relayedLinks;
  /** Addresses relays report seeing this node at: candidates, not proven. */
  private final ObservedAddresses observed;
  private final HolePunching holePunching;
  private final List<Expose> exposes = new ArrayList<>();
  private final List<KnownEndpoint> endpoints = new ArrayList<>();
  private AdminServer admin;
  private MetricsServer metricsServer;

  private Node(NodeConfig config, NodeKey key, DataDirLock lock) throws IOException {
    this.config = config;
    this.key = key;
    this.lock = lock;
    this.started = config.clock().instant();
    this.loops = new EventLoops(config.threads());
    this.io = loops.group();
    this.kcp = LinkEventLoops.kcp(new DefaultThreadFactory("weft-kcp", true));
    this.events = new EventBus(config.clock());
    this.scope = NodeScope.of(config.limits().sessionsPerNode(), config.limits().memoryBudget());
    this.services = new ExposedServices(events);
    Relinker relinker = new Relinker(io, config.mux().failoverGrace(),
        this::knownEndpoints, this::link,
        this::relinkEnded);
    this.peers = new Peers(key.identity(), io, config.mux(), scope, services, events, relinker, metrics);
    NodeLimits limits = config.limits();
    this.linker = Linker.builder(key)
        .eventLoops(io, kcp)
        .maxPendingHandshakes(limits.pendingHandshakes())
        .handshakeRate(limits.handshakesPerSecond(), limits.handshakeBurst())
        .cookieThreshold(config.cookieThreshold())
        .rekeyAfter(config.rekeyBytes(), config.rekeyInterval())
        .kcpWindow(config.kcpWindow())
        .accessPolicy((remote, address) -> Optional.ofNullable(linkRefusal(remote, address)))
        .onStream(this::attach)
        .onInboundFailure(this::inboundFailure)
        .build();
    metrics.registry().register(new HeldMetrics(this, linker, events));
    this.forwards = new Forwards(loops, this::open);
    Path dir = config.dataDir();
    this.exposeFile = new RecordFile<>(dir.resolve("exposes.json"), Expose.class);
    this.forwardFile = new RecordFile<>(dir.resolve("forwards.json"), Forward.class);
    this.endpointFile = new RecordFile<>(dir.resolve("endpoints.json"), KnownEndpoint.class);
    this.relaying = config.relay() ? new Relay(config.relayLimits(), events,
        peer -> peers.get(peer).filter(LinkedPeer::linked).map(LinkedPeer::mux), this::loopOf, this::stream)
        : null;
    this.observed = new ObservedAddresses(events);
    this.reservations = new Reservations(reservedRelays(dir), this::relayTable, this::stream, io, events, observed);
    this.relayedLinks = new RelayedLinks(linker, this::relayTable, this::stream,
        session -> loopOf(session.executor()), reservations::reservesAt, observed);
    services.add(RelayRequest.SERVICE, new RelayService(relaying, relayedLinks), Access.anyone());
    this.holePunching = new HolePunching(config.holePunch(), config.keepRelayed(), linker, () -> listeners,
        observed, events, peers::get, peers::readiness, io, metrics);
    services.add(PunchMessage.SERVICE, holePunching, Access.anyone());
  }

  /** The configured relays and those kept in the data directory; saved back if that adds any. */
  private List<ReservedRelay> reservedRelays(Path dir) throws IOException {
    RecordFile<ReservedRelay> file = new RecordFile<>(dir.resolve("reservations.json"), ReservedRelay.class);
    List<ReservedRelay> all = new ArrayList<>(file.load());
    config.reserve().stream().filter(r -> !all.contains(r)).forEach(all::add);
    if (all.size() > file.load().size()) {
      file.save(all);
    }
    return all;
  }

  private EventLoop loopOf(EventExecutor executor) {
    EventLoop member = loops.member(executor);
    return member != null ? member : io.next();
  }

  /** The session table of {@code relay}, linked first at {@code endpoint} if it has no stream. */
  private CompletableFuture<SessionTable> relayTable(Identity relay, Endpoint endpoint) {
    Optional<SessionTable> table = peers.get(relay).filter(LinkedPeer::linked).map(LinkedPeer::mux);
    return table.map(CompletableFuture::completedFuture).orElseGet(() -> link(relay, endpoint)
        .thenApply(stream -> peers.get(relay).map(LinkedPeer::mux).orElseThrow(
            () -> new IllegalStateException("the stream to " + relay.shortText() + " closed at once"))));
  }

  private Optional<Stream> stream(Identity peer, long id) {
    return peers.get(peer).flatMap(p -> p.stream(new StreamId(id)));
  }

  /**
   * Starts a node: takes the data directory's lock (a second node on it is refused), loads or
   * creates the key, binds the listeners, restores exposes, forwards and known endpoints, and
   * serves the admin API if configured.
   */
  public static Node start(NodeConfig config) throws IOException {
    AtomicFile.createPrivateDirectory(config.dataDir());
    DataDirLock lock = DataDirLock.acquire(config.dataDir());
    Node node = null;
    try {
      node = new Node(config, loadKey(config), lock);
      node.begin();
      return node;
    } catch (IOException | RuntimeException e) {
      if (node != null) {
        node.close();
      } else {
        lock.close();
      }
      throw e;
    }
  }

  private static NodeKey loadKey(NodeConfig config) throws IOException {
    if (KeyFile.exists(config.dataDir())) {
      return KeyFile.load(config.dataDir());
    }
    if (config.createIdentity()) {
      return KeyFile.create(config.dataDir());
    }
    throw new IllegalStateException("no identity in " + config.dataDir() + "; run: weft init");
  }

  private void begin() throws IOException {
    for (Endpoint endpoint : config.listen()) {
      listeners.add(await(linker.listen(endpoint), "listen on " + endpoint));
    }
    endpoints.addAll(endpointFile.load());
    reservations.start();
    for (Expose expose : exposeFile.load()) {
      services.add(expose.service(), new TcpTarget(expose.target(), loops), expose.access());
      exposes.add(expose);
    }
    for (Forward forward : forwardFile.load()) {
      forwards.start(forward).exceptionally(e -> {
        LOG.warn("cannot restore forward {}: {}", forward.bind(), e.getMessage());
        return null;
      });
    }
    io.next().scheduleAtFixedRate(new TrafficSampler(this::peers, events),
        TrafficSampler.INTERVAL.toMillis(), TrafficSampler.INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    if (config.admin() != null) {
      String token = AdminAccess.newToken();
      admin = AdminServer.start(new NodeAdmin(this), new InetSocketAddress(config.admin().host(),
          config.admin().port()), config.adminRemote(), token,
          new AllowedOrigins(Set.copyOf(config.adminOrigins())));
      InetSocketAddress bound = admin.address();
      new AdminAccess(bound.getAddress().getHostAddress(), bound.getPort(), token)
          .write(config.dataDir());
    }
    if (config.metrics() != null) {
      metricsServer = MetricsServer.start(metrics::scrape,
          new InetSocketAddress(config.metrics().host(), config.metrics().port()));
    }
    LOG.debug("node {} started; listening on {}", identity().shortText(), listeners());
  }

  private String linkRefusal(Identity remote, InetSocketAddress address) {
    String refusal = remote.equals(identity()) ? "a node does not link to itself"
        : config.linkPolicy().refusal(remote);
    if (refusal == null) {
      refusal = streamLimitRefusal(remote);
    }
    if (refusal != null) {
      LOG.info("refused link from {} at {}: {}", remote.shortText(), address, refusal);
      events.publish(new Event.LinkRefused(events.clock().instant(), remote, String.valueOf(address),
          refusal));
    }
    return refusal;
  }

  /** Every stream, dialled or accepted, once its handshake completed (counted here if accepted). */
  private void attach(Stream stream) {
    if (!stream.initiator()) {
      metrics.handshake(true, HandshakeOutcome.ACCEPTED);
    }
    peers.attach(stream);
    holePunching.relayedStreamUp(stream);
  }

  /** A dialer's refusal is worth an event; other failed handshakes (scans, floods) only a debug line. */
  private void inboundFailure(HandshakeException e) {
    metrics.handshake(true, e.outcome());
    if (e instanceof RefusedException refused) {
      LOG.info("a dialer at {} refused the link: {}", e.remoteAddress(), refused.reason());
      events.publish(new Event.DialerRefused(events.clock().instant(), String.valueOf(e.remoteAddress()),
          refused.reason()));
    } else {
      LOG.debug("inbound link failed: {}", e.getMessage());
    }
  }

  /**
   * Why another stream to {@code peer} is refused, or null. At the limit, a stream of the peer
   * that is dead unnoticed (a zombie) is closed to make room: a peer whose host lost its sockets
   * links again at once, and must not be refused for the streams it lost.
   */
  private String streamLimitRefusal(Identity peer) {
    int max = config.limits().streamsPerPeer();
    Optional<LinkedPeer> linked = peers.get(peer);
    int streams = linked.map(LinkedPeer::streamCount).orElse(0);
    return streams < max || linked.get().displaceZombie() ? null
        : "too many streams with this peer (limit " + max + ")";
  }

  // ---- the embedding API ----

  public Identity identity() {
    return key.identity();
  }

  /** The bound listeners (ports resolved). */
  public List<Endpoint> listeners() {
    return listeners.stream().map(Listener::endpoint).toList();
  }

  /** The metrics listener's address, if it is served. */
  public Optional<InetSocketAddress> metricsAddress() {
    return Optional.ofNullable(metricsServer).map(MetricsServer::address);
  }

  /** This node's metrics (docs/metrics.md), served by the admin API and the metrics listener. */
  public NodeMetrics metrics() {
    return metrics;
  }

  /** The admin API's address, if it is served. */
  public Optional<InetSocketAddress> adminAddress() {
    return Optional.ofNullable(admin).map(AdminServer::address);
  }

  /** Opens one more stream to {@code peer} at {@code endpoint}, ready to carry sessions. */
  public CompletableFuture<Stream> link(Identity peer, Endpoint endpoint) {
    if (peer.equals(identity())) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("that is this node's own identity"));
    }
    String full = streamLimitRefusal(peer);
    if (full != null) {
      return CompletableFuture.failedFuture(new IllegalStateException(full));
    }
    // A new stream to a known peer runs on the loop of its session table (see EventLoops).
    EventLoop loop = peers.get(peer).map(p -> loops.member(p.mux().executor())).orElse(null);
    CompletableFuture<Stream> dialled = endpoint.relayed() ? relayedLinks.dial(peer, endpoint)
        : linker.dial(endpoint, peer, loop);
    dialled.whenComplete((stream, e) -> metrics.handshake(false, e == null ? HandshakeOutcome.ACCEPTED
        : e instanceof HandshakeException h ? h.outcome() : HandshakeOutcome.FAILED));
    return dialled.thenCompose(stream -> {
      remember(new KnownEndpoint(peer, endpoint.toString()));
      return peers.readiness(stream).thenApply(ready -> stream);
    });
  }

  /**
   * Opens a session to {@code peer}'s {@code service} on its best live stream (best score:
   * smoothed RTT inflated by ping loss). With no stream, links first using the peer's known
   * endpoints.
   */
  public CompletableFuture<Session> open(Identity peer, String service) {
    List<Stream> streams = peers.get(peer).map(LinkedPeer::streams).orElse(List.of());
    CompletableFuture<?> linked = streams.isEmpty() ? linkKnown(peer)
        : CompletableFuture.anyOf(streams.stream().map(peers::readiness)
            .toArray(CompletableFuture[]::new));
    // The entry is looked up once linked: one left without streams meanwhile may have been dropped.
    return linked.thenCompose(x -> peers.get(peer).filter(LinkedPeer::linked)
        .map(p -> p.mux().open(service, new byte[0]))
        .orElseGet(() -> CompletableFuture.failedFuture(new SessionRejectedException(
            Reason.STREAM_LOST, "the streams to " + peer.shortText() + " closed meanwhile"))));
  }

  private CompletableFuture<Void> linkKnown(Identity peer) {
    CompletableFuture<Void> attempt = CompletableFuture.failedFuture(new NoSuchElementException(
        "no stream to " + peer.shortText() + " and no known endpoint; link it first"));
    for (Endpoint endpoint : knownEndpoints(peer)) {
      attempt = attempt.exceptionallyCompose(e -> link(peer, endpoint).thenApply(stream -> null));
    }
    return attempt;
  }

  /**
   * Closes a stream (the peer sees why); with {@code drain}, first moves its sessions to another
   * stream to the same peer. Throws {@link NoSuchElementException} for an unknown stream and
   * {@link IllegalStateException} if there is no other stream to drain to; a failed drain fails
   * the future with the mux's {@link dev.weft.mux.MigrationException}.
   */
  public CompletableFuture<Void> unlink(StreamId stream, boolean drain) {
    LinkedPeer p = peerOfStream(stream);
    Stream s = p.stream(stream).orElseThrow(() -> new NoSuchElementException("no stream " + stream));
    CompletableFuture<?> before = CompletableFuture.completedFuture(null);
    if (drain) {
      Stream other = p.streams().stream().filter(o -> !o.id().equals(stream)).findFirst()
          .orElseThrow(() -> new IllegalStateException(
              "stream " + stream + " is the peer's only stream: nowhere to drain its sessions"));
      before = p.mux().migrateAll(stream.value(), other.id().value());
    }
    return before.thenCompose(x -> {
      s.close("unlinked by the operator");
      return s.closeFuture().thenApply(reason -> null);
    });
  }

  /**
   * Moves a session, live, to another stream to the same peer; completes with how long this side
   * held its writes. Throws {@link NoSuchElementException} for an unknown session or stream and
   * {@link IllegalStateException} for a stream to another peer; the mux's refusals fail the
   * future with {@link dev.weft.mux.MigrationException}.
   */
  public CompletableFuture<Duration> migrate(SessionId session, StreamId stream) {
    LinkedPeer p = peerOfSession(session);
    if (p.stream(stream).isEmpty()) {
      LinkedPeer owner = peerOfStream(stream);
      throw new IllegalStateException("stream " + stream + " goes to " + owner.identity().shortText()
          + ", not to the session's peer " + p.identity().shortText());
    }
    return p.mux().migrate(session, stream.value());
  }

  /**
   * Moves every open session on {@code from} to {@code to}, streams to the same peer; completes
   * with how many moved.
   */
  public CompletableFuture<Integer> migrateAll(StreamId from, StreamId to) {
    LinkedPeer p = peerOfStream(from);
    if (p.stream(to).isEmpty()) {
      peerOfStream(to);
      throw new IllegalStateException("streams " + from + " and " + to + " go to different peers");
    }
    return p.mux().migrateAll(from.value(), to.value());
  }

  /** Exposes {@code service} to the peers {@code access} allows; not persisted. */
  public void expose(String service, Service handler, Access access) {
    services.add(service, handler, access);
  }

  /** A new bounded subscription to this node's events. */
  public Subscription subscribe(int capacity) {
    return events.subscribe(capacity);
  }

  /** Like {@link #subscribe(int)}; with {@code traffic}, also the once-a-second {@link Event.Traffic} samples. */
  public Subscription subscribe(int capacity, boolean traffic) {
    return events.subscribe(capacity, traffic);
  }

  // ---- what the node holds now ----

  /** The node's state at a glance, without a pass over its sessions. */
  public NodeStatus status() {
    Peers.Load load = peers.load();
    return new NodeStatus(identity(), version(), started,
        listeners().stream().map(Endpoint::toString).toList(), load.linked(), load.streams(),
        load.sessions(), exposes().size(), forwards.all().size(), events.dropped(), limitUsage(load),
        linker.cookieStats(), linker.rekeyStats(), observed.all());
  }

  private List<LimitUsage> limitUsage(Peers.Load load) {
    NodeLimits limits = config.limits();
    List<LimitUsage> usage = new ArrayList<>(List.of(
        new LimitUsage("pending handshakes", linker.pendingHandshakes(), limits.pendingHandshakes()),
        new LimitUsage("sources over handshake rate (per s)", linker.throttledSources(),
            limits.handshakesPerSecond()),
        new LimitUsage("streams per peer (busiest)", load.busiestStreams(), limits.streamsPerPeer()),
        new LimitUsage("sessions per peer (busiest)", load.busiestSessions(),
            config.mux().maxSessionsPerPeer()),
        new LimitUsage("sessions per node", load.sessions(), limits.sessionsPerNode()),
        new LimitUsage("receive buffer bytes", scope.receiveMemory().used(), scope.receiveMemory().limit()),
        new LimitUsage("unacknowledged send bytes", scope.sendMemory().used(), scope.sendMemory().limit()),
        new LimitUsage("reservations held at relays", reservations.live(), reservations.relays().size())));
    if (relaying != null) {
      usage.add(new LimitUsage("relay reservations", relaying.reservations(), relaying.limits().reservations()));
      usage.add(new LimitUsage("relayed streams", relaying.streams(), relaying.limits().streams()));
    }
    return usage;
  }

  /** Requests refused since the start if this node relays (0 if not). */
  long relayRefusals() {
    return relaying == null ? 0 : relaying.refusals();
  }

  private static String version() {
    String version = Node.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }

  /**
   * Every peer the node holds, by identity: the linked ones, and unlinked ones whose sessions
   * wait to fail over.
   */
  public List<LinkedPeer> peers() {
    return peers.all();
  }

  public Optional<LinkedPeer> peer(Identity identity) {
    return peers.get(identity);
  }

  /** The peer of a live stream; {@link NoSuchElementException} if there is none. */
  public LinkedPeer peerOfStream(StreamId stream) {
    return peers.peerOfStream(stream.value());
  }

  /** The peer of an open session; {@link NoSuchElementException} if there is none. */
  public LinkedPeer peerOfSession(SessionId session) {
    return peers.peerOfSession(session.value());
  }

  /** Where {@code peer} was linked before (kept in the data directory). */
  public synchronized List<Endpoint> knownEndpoints(Identity peer) {
    return endpoints.stream().filter(e -> e.peer().equals(peer))
        .map(e -> Endpoint.parse(e.endpoint())).toList();
  }

  /** A relinking run ended: the peer's entry may be unused now. */
  private void relinkEnded(LinkedPeer peer) {
    peers.release(peer);
  }

  public synchronized List<Expose> exposes() {
    return List.copyOf(exposes);
  }

  /** Adds a TCP-bridged service, kept in the data directory. */
  public synchronized void expose(Expose expose) {
    services.add(expose.service(), new TcpTarget(expose.target(), loops), expose.access());
    exposes.add(expose);
    save(exposeFile, exposes);
  }

  public synchronized void unexpose(String service) {
    services.remove(service);
    exposes.removeIf(e -> e.service().equals(service));
    save(exposeFile, exposes);
  }

  public List<Forward> forwards() {
    return forwards.all();
  }

  /** Starts a local listener whose connections become sessions, kept in the data directory. */
  public CompletableFuture<Forward> forward(Forward forward) {
    return forwards.start(forward).thenApply(bound -> {
      saveForwards();
      return bound;
    });
  }

  public CompletableFuture<Void> unforward(int port) {
    return forwards.stop(port).thenRun(this::saveForwards);
  }

  private synchronized void saveForwards() {
    save(forwardFile, forwards.all());
  }

  // ---- persistence ----

  private synchronized void remember(KnownEndpoint endpoint) {
    if (!endpoints.contains(endpoint)) {
      endpoints.add(endpoint);
      save(endpointFile, endpoints);
    }
  }

  private static <T> void save(RecordFile<T> file, List<T> items) {
    try {
      file.save(items);
    } catch (IOException e) {
      throw new IllegalStateException("cannot save " + e.getMessage(), e);
    }
  }

  private static <T> T await(CompletableFuture<T> future, String what) throws IOException {
    try {
      return future.get(LISTEN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IOException("cannot " + what + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IOException("cannot " + what + ": timed out", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while trying to " + what, e);
    }
  }

  /**
   * Stops gracefully: the admin API goes first, then every session is reset with a
   * shutting-down reason the peer sees, then the streams close with a message, then the threads.
   */
  @Override
  public void close() {
    try {
      if (admin != null) {
        AdminAccess.delete(config.dataDir());
        admin.close();
      }
      if (metricsServer != null) {
        metricsServer.close();
      }
      forwards.all().forEach(f -> forwards.stop(f.bind().port()));
      reservations.close();
      try {
        peers.close().get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        LOG.debug("sessions did not all close in time: {}", e.getMessage());
      }
      linker.close();
      io.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
      kcp.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
      lock.close();
    } catch (IOException e) {
      LOG.warn("while stopping: {}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
