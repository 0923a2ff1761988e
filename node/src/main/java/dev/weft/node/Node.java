package dev.weft.node;

import dev.weft.identity.AtomicFile;
import dev.weft.identity.IdText;
import dev.weft.identity.Identity;
import dev.weft.identity.KeyFile;
import dev.weft.identity.NodeKey;
import dev.weft.link.Endpoint;
import dev.weft.link.HandshakeException;
import dev.weft.link.Linker;
import dev.weft.link.Listener;
import dev.weft.link.RefusedException;
import dev.weft.link.Stream;
import dev.weft.link.StreamId;
import dev.weft.mux.MemoryBudget;
import dev.weft.mux.MigrationException;
import dev.weft.mux.Reason;
import dev.weft.mux.Session;
import dev.weft.mux.SessionId;
import dev.weft.mux.SessionRejectedException;
import dev.weft.node.admin.AdminAccess;
import dev.weft.node.admin.AdminServer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
public final class Node implements NodeControl, AutoCloseable {
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
  private final MemoryBudget memory;
  private final Services services;
  private final Peers peers;
  private final Linker linker;
  private final Forwards forwards;
  private final List<Listener> listeners = new ArrayList<>();
  private final RecordFile<Expose> exposeFile;
  private final RecordFile<Forward> forwardFile;
  private final RecordFile<KnownEndpoint> endpointFile;
  private final List<Expose> exposes = new ArrayList<>();
  private final List<KnownEndpoint> endpoints = new ArrayList<>();
  private AdminServer admin;

  private Node(NodeConfig config, NodeKey key, DataDirLock lock) throws IOException {
    this.config = config;
    this.key = key;
    this.lock = lock;
    this.started = config.clock().instant();
    this.loops = new EventLoops(config.threads());
    this.io = loops.group();
    this.kcp = new NioEventLoopGroup(1, new DefaultThreadFactory("weft-kcp", true));
    this.events = new EventBus(config.clock());
    this.memory = new MemoryBudget(config.limits().memoryBudget());
    this.services = new Services(events, this::sessionLimitRefusal);
    Relinker relinker = new Relinker(io, config.mux().failoverGrace(),
        peer -> knownEndpoints(peer).stream().map(Endpoint::parse).toList(), this::link,
        this::relinkEnded);
    this.peers = new Peers(key.identity(), io, config.mux(), memory, services, events, relinker);
    NodeLimits limits = config.limits();
    this.linker = Linker.builder(key)
        .eventLoops(io, kcp)
        .maxPendingHandshakes(limits.pendingHandshakes())
        .handshakeRate(limits.handshakesPerSecond(), limits.handshakeBurst())
        .accessPolicy((remote, address) -> Optional.ofNullable(linkRefusal(remote, address)))
        .onStream(peers::attach)
        .onInboundFailure(this::inboundFailure)
        .build();
    this.forwards = new Forwards(loops, this::open);
    Path dir = config.dataDir();
    this.exposeFile = new RecordFile<>(dir.resolve("exposes.json"), Expose.class);
    this.forwardFile = new RecordFile<>(dir.resolve("forwards.json"), Forward.class);
    this.endpointFile = new RecordFile<>(dir.resolve("endpoints.json"), KnownEndpoint.class);
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
    for (Expose expose : exposeFile.load()) {
      services.add(expose.service(), new TcpTarget(expose.target(), loops), expose.access());
      exposes.add(expose);
    }
    for (Forward forward : forwardFile.load()) {
      forwards.start(forward).exceptionally(e -> {
        LOG.warn("cannot restore forward {}: {}", forward.bind(), cause(e).getMessage());
        return null;
      });
    }
    if (config.admin() != null) {
      String token = AdminAccess.newToken();
      admin = AdminServer.start(this, new InetSocketAddress(config.admin().host(),
          config.admin().port()), config.adminRemote(), token);
      InetSocketAddress bound = admin.address();
      new AdminAccess(bound.getAddress().getHostAddress(), bound.getPort(), token)
          .write(config.dataDir());
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

  /** A dialer's refusal is worth an event; other failed handshakes (scans, floods) only a debug line. */
  private void inboundFailure(HandshakeException e) {
    if (e instanceof RefusedException refused) {
      LOG.info("a dialer at {} refused the link: {}", e.remoteAddress(), refused.reason());
      events.publish(new Event.DialerRefused(events.clock().instant(), String.valueOf(e.remoteAddress()),
          refused.reason()));
    } else {
      LOG.debug("inbound link failed: {}", e.getMessage());
    }
  }

  /** Why another stream to {@code peer} is refused, or null. */
  private String streamLimitRefusal(Identity peer) {
    int max = config.limits().streamsPerPeer();
    int streams = peers.get(peer).map(LinkedPeer::streamCount).orElse(0);
    return streams >= max ? "too many streams with this peer (limit " + max + ")" : null;
  }

  /** Why this node takes no more sessions, or null. */
  private String sessionLimitRefusal() {
    int max = config.limits().sessionsPerNode();
    return peers.sessionCount() >= max ? "too many sessions on this node (limit " + max + ")" : null;
  }

  // ---- the embedding API ----

  public Identity identity() {
    return key.identity();
  }

  /** The bound listeners (ports resolved). */
  public List<Endpoint> listeners() {
    return listeners.stream().map(Listener::endpoint).toList();
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
    return linker.dial(endpoint, peer, loop).thenCompose(stream -> {
      remember(new KnownEndpoint(peer, endpoint.toString()));
      return peers.readiness(stream).thenApply(ready -> stream);
    });
  }

  /**
   * Opens a session to {@code peer}'s {@code service} on its best live stream (lowest smoothed
   * RTT). With no stream, links first using the peer's known endpoints.
   */
  @Override
  public CompletableFuture<Session> open(Identity peer, String service) {
    String full = sessionLimitRefusal();
    if (full != null) {
      return CompletableFuture.failedFuture(new SessionRejectedException(Reason.LIMIT_REACHED, full));
    }
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
    List<String> known;
    synchronized (this) {
      known = endpoints.stream().filter(e -> e.peer().equals(peer)).map(KnownEndpoint::endpoint)
          .toList();
    }
    CompletableFuture<Void> attempt = CompletableFuture.failedFuture(new NoSuchElementException(
        "no stream to " + peer.shortText() + " and no known endpoint; link it first"));
    for (String endpoint : known) {
      attempt = attempt.exceptionallyCompose(e -> link(peer, Endpoint.parse(endpoint))
          .thenApply(stream -> null));
    }
    return attempt;
  }

  /** Exposes {@code service} to the peers {@code access} allows; not persisted. */
  public void expose(String service, Service handler, Access access) {
    services.add(service, handler, access);
  }

  /** A new bounded subscription to this node's events. */
  public Subscription subscribe(int capacity) {
    return events.subscribe(capacity);
  }

  // ---- NodeControl: what the admin API offers ----

  @Override
  public NodeStatus status() {
    List<LinkedPeer> all = peers.all();
    return new NodeStatus(identity(), version(), started,
        listeners().stream().map(Endpoint::toString).toList(),
        (int) all.stream().filter(LinkedPeer::linked).count(),
        all.stream().mapToInt(p -> p.streams().size()).sum(), peers.sessions().size(),
        services.size(), forwards.all().size(), events.dropped(), limitUsage(all));
  }

  private List<LimitUsage> limitUsage(List<LinkedPeer> all) {
    NodeLimits limits = config.limits();
    return List.of(
        new LimitUsage("pending handshakes", linker.pendingHandshakes(), limits.pendingHandshakes()),
        new LimitUsage("sources over handshake rate (per s)", linker.throttledSources(),
            limits.handshakesPerSecond()),
        new LimitUsage("streams per peer (busiest)",
            all.stream().mapToInt(p -> p.streams().size()).max().orElse(0), limits.streamsPerPeer()),
        new LimitUsage("sessions per peer (busiest)",
            all.stream().mapToInt(p -> p.mux().sessionCount()).max().orElse(0),
            config.mux().maxSessionsPerPeer()),
        new LimitUsage("sessions per node", peers.sessionCount(), limits.sessionsPerNode()),
        new LimitUsage("receive buffer bytes", memory.used(), memory.limit()));
  }

  private static String version() {
    String version = Node.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }

  @Override
  public List<PeerInfo> peers() {
    List<PeerInfo> out = new ArrayList<>();
    for (LinkedPeer p : peers.all()) {
      if (p.linked()) {
        out.add(new PeerInfo(p.identity(), p.streams().size(), p.mux().sessions().size(),
            p.linkedSince(), knownEndpoints(p.identity())));
      }
    }
    return out;
  }

  /** A relinking run ended: the peer's entry may be unused now. */
  private void relinkEnded(LinkedPeer peer) {
    peers.release(peer);
  }

  /** The table of peers, for tests in this package. */
  Peers peerTable() {
    return peers;
  }

  private synchronized List<String> knownEndpoints(Identity peer) {
    return endpoints.stream().filter(e -> e.peer().equals(peer)).map(KnownEndpoint::endpoint)
        .toList();
  }

  @Override
  public List<StreamInfo> streams() {
    List<StreamInfo> out = new ArrayList<>();
    for (LinkedPeer p : peers.all()) {
      for (Stream s : p.streams()) {
        out.add(info(p, s, p.mux().streamInfo(s.id().value())));
      }
    }
    out.sort(Comparator.comparing(StreamInfo::opened, Comparator.nullsLast(Comparator.naturalOrder())));
    return out;
  }

  private static StreamInfo info(LinkedPeer p, Stream s, Optional<dev.weft.mux.StreamStats> m) {
    return new StreamInfo(s.id().toString(), p.identity(), s.transport().scheme(),
        HostPort.of(s.localAddress()).toString(), HostPort.of(s.remoteAddress()).toString(),
        s.initiator(),
        m.map(dev.weft.mux.StreamStats::attached).orElse(null),
        m.map(i -> i.srtt() == null ? -1L : i.srtt().toNanos() / 1000).orElse(-1L),
        m.map(dev.weft.mux.StreamStats::sessions).orElse(0));
  }

  @Override
  public List<SessionInfo> sessions() {
    List<SessionInfo> out = new ArrayList<>();
    for (LinkedPeer p : peers.all()) {
      for (Session s : p.mux().sessions()) {
        out.add(info(p, s));
      }
    }
    out.sort(Comparator.comparing(SessionInfo::opened));
    return out;
  }

  private static SessionInfo info(LinkedPeer p, Session s) {
    return new SessionInfo(s.id().toString(), p.identity(), s.service(),
        IdText.of(s.streamId()), s.state().name(),
        s.direction() == dev.weft.mux.Direction.INBOUND, s.created(), s.bytesIn(), s.bytesOut(),
        s.migrations());
  }

  @Override
  public CompletableFuture<StreamInfo> link(Identity peer, String endpoint) {
    // Only this stream's row: building every stream's (streams()) made each link cost O(streams).
    return link(peer, Endpoint.parse(endpoint)).thenApply(stream -> {
      long id = stream.id().value();
      LinkedPeer p = peers.get(peer).filter(linked -> linked.stream(id) != null)
          .orElseThrow(() -> new IllegalStateException("stream " + stream.id() + " closed at once"));
      return info(p, stream, p.mux().streamInfo(id));
    });
  }

  @Override
  public CompletableFuture<Void> unlink(String stream, boolean drain) {
    long id = StreamId.parse(stream).value();
    LinkedPeer p = peers.peerOfStream(id);
    Stream s = p.stream(id);
    CompletableFuture<?> before = CompletableFuture.completedFuture(null);
    if (drain) {
      Stream other = p.streams().stream().filter(o -> o.id().value() != id).findFirst()
          .orElseThrow(() -> new IllegalStateException(
              "stream " + stream + " is the peer's only stream: nowhere to drain its sessions"));
      before = migrationOf(p.mux().migrateAll(id, other.id().value()));
    }
    return before.thenCompose(x -> {
      s.close("unlinked by the operator");
      return s.closeFuture().thenApply(reason -> null);
    });
  }

  @Override
  public synchronized List<Expose> exposes() {
    return List.copyOf(exposes);
  }

  @Override
  public synchronized void expose(Expose expose) {
    services.add(expose.service(), new TcpTarget(expose.target(), loops), expose.access());
    exposes.add(expose);
    save(exposeFile, exposes);
  }

  @Override
  public synchronized void unexpose(String service) {
    services.remove(service);
    exposes.removeIf(e -> e.service().equals(service));
    save(exposeFile, exposes);
  }

  @Override
  public List<Forward> forwards() {
    return forwards.all();
  }

  @Override
  public CompletableFuture<Forward> forward(Forward forward) {
    return forwards.start(forward).thenApply(bound -> {
      saveForwards();
      return bound;
    });
  }

  @Override
  public CompletableFuture<Void> unforward(int port) {
    return forwards.stop(port).thenRun(this::saveForwards);
  }

  private synchronized void saveForwards() {
    save(forwardFile, forwards.all());
  }

  @Override
  public CompletableFuture<SessionInfo> migrate(String session, String stream) {
    SessionId sid = SessionId.parse(session);
    long target = StreamId.parse(stream).value();
    LinkedPeer p = peers.peerOfSession(sid.value());
    if (p.stream(target) == null) {
      LinkedPeer owner = peers.peerOfStream(target);
      throw new IllegalStateException("stream " + stream + " goes to " + owner.identity().shortText()
          + ", not to the session's peer " + p.identity().shortText());
    }
    return migrationOf(p.mux().migrate(sid, target)).thenApply(pause -> info(p,
        p.mux().session(sid).orElseThrow(() -> new NoSuchElementException("session " + session
            + " ended")))); 
  }

  @Override
  public CompletableFuture<List<SessionInfo>> migrateAll(String from, String to) {
    long source = StreamId.parse(from).value();
    long target = StreamId.parse(to).value();
    LinkedPeer p = peers.peerOfStream(source);
    if (p.stream(target) == null) {
      peers.peerOfStream(target);
      throw new IllegalStateException("streams " + from + " and " + to + " go to different peers");
    }
    return migrationOf(p.mux().migrateAll(source, target)).thenApply(moved -> sessions().stream()
        .filter(s -> s.stream().equals(to)).toList());
  }

  /**
   * Migration refusals are conflicts with the session's state, not network failures; a peer that
   * did not answer in time is a timeout (the session stays where it was).
   */
  private static <T> CompletableFuture<T> migrationOf(CompletableFuture<T> migration) {
    return migration.exceptionallyCompose(e -> CompletableFuture.failedFuture(
        cause(e) instanceof MigrationException m ? refusal(m) : cause(e)));
  }

  private static Exception refusal(MigrationException m) {
    Exception e = m.timedOut() ? new TimeoutException(m.getMessage())
        : new IllegalStateException(m.getMessage());
    e.initCause(m);
    return e;
  }

  @Override
  public CompletableFuture<List<PingResult>> ping(Identity peer) {
    LinkedPeer p = peers.get(peer).filter(LinkedPeer::linked).orElseThrow(
        () -> new NoSuchElementException("no stream to " + peer.shortText()));
    return CompletableFuture.completedFuture(streams().stream()
        .filter(s -> s.peer().equals(p.identity()))
        .map(s -> new PingResult(s.id(), s.transport(), s.rttMicros())).toList());
  }

  @Override
  public EventBus events() {
    return events;
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

  private static Throwable cause(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
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
      forwards.all().forEach(f -> forwards.stop(f.bind().port()));
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
