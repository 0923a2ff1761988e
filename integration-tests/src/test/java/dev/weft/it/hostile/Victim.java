package dev.weft.it.hostile;

import dev.weft.identity.Identity;
import dev.weft.link.Endpoint;
import dev.weft.link.StreamId;
import dev.weft.link.Transport;
import dev.weft.mux.Session;
import dev.weft.node.Access;
import dev.weft.node.Event;
import dev.weft.node.HostPort;
import dev.weft.node.Node;
import dev.weft.node.NodeConfig;
import dev.weft.node.NodeLimits;
import dev.weft.node.admin.StreamInfo;
import dev.weft.node.Subscription;
import dev.weft.node.admin.AdminAccess;
import dev.weft.node.admin.NodeAdmin;
import dev.weft.node.admin.NodeControl;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The node under attack, in this JVM so its memory can be watched, with a partner node that keeps
 * a checked bulk transfer running into it. {@link #survives} runs one attack and checks that the
 * transfer made progress during and after it and that memory stayed bounded.
 */
final class Victim implements Target, AutoCloseable {
  /** A service attackers may open sessions to: it swallows whatever it gets. */
  static final String DROP = "drop";
  private static final long BACKGROUND_RATE = 4L << 20;
  private static final long PROGRESS = 256L << 10;
  private static final Duration PROGRESS_WAIT = Duration.ofSeconds(15);
  private static final Duration ATTACK_LIMIT = Duration.ofSeconds(60);
  private static final long MAX_BUFFER_GROWTH = 64L << 20;
  private static final long MAX_HEAP_GROWTH = 48L << 20;
  /**
   * The default cap on handshakes in progress. The per-source handshake rate is raised: every
   * attacker here shares the loopback address, where on the internet each would have its own.
   */
  static final int PENDING_HANDSHAKES = NodeLimits.defaults().pendingHandshakes();

  final Node node;
  /** The node as its admin API sees it (rows). */
  final NodeControl view;
  final Node partner;
  private final Path dataDir;
  private final Background background = new Background(BACKGROUND_RATE);
  private final ExecutorService attacks = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "attack");
    t.setDaemon(true);
    return t;
  });
  private final AttackerLoops attackerLoops = new AttackerLoops();
  private Subscription events;
  /** Heap after the last full GC: the baseline of the next attack. */
  private long heapAfterGc = MemoryWatch.heapAfterGc();

  private Victim(Node node, Node partner, Path dataDir) {
    this.node = node;
    this.view = new NodeAdmin(node);
    this.partner = partner;
    this.dataDir = dataDir;
  }

  static Victim start(Path dir) throws Exception {
    return start(dir, config -> config);
  }

  /** Like {@link #start(Path)}, with the victim's config changed by {@code tune} (other limits, say). */
  static Victim start(Path dir, UnaryOperator<NodeConfig.Builder> tune) throws Exception {
    Path dataDir = dir.resolve("victim");
    Node node = Node.start(tune.apply(NodeConfig.builder(dataDir).createIdentity(true)
        .listen("tcp:127.0.0.1:0").listen("kcp:127.0.0.1:0")
        .admin(HostPort.parse("127.0.0.1:0"), false)
        .limits(NodeLimits.defaults().withHandshakes(PENDING_HANDSHAKES, 10_000, 10_000))).build());
    Node partner = null;
    try {
      partner = Node.start(NodeConfig.builder(dir.resolve("partner")).createIdentity(true).build());
      Victim victim = new Victim(node, partner, dataDir);
      node.expose(DROP, (session, peer) -> session.handler((s, data) -> data.release()), Access.anyone());
      node.expose(Background.SINK, victim.background.sink(), Access.anyone());
      partner.link(node.identity(), victim.endpoint(Transport.TCP)).get(10, TimeUnit.SECONDS);
      Session feed = partner.open(node.identity(), Background.SINK).get(10, TimeUnit.SECONDS);
      victim.background.start(feed);
      return victim;
    } catch (Exception | AssertionError e) {
      if (partner != null) {
        partner.close();
      }
      node.close();
      throw e;
    }
  }

  @Override
  public Endpoint endpoint(Transport transport) {
    Endpoint bound = node.listeners().stream().filter(e -> e.transport() == transport).findFirst()
        .orElseThrow();
    return new Endpoint(transport, "127.0.0.1", bound.port());
  }

  @Override
  public Identity identity() {
    return node.identity();
  }

  @Override
  public AttackerLoops attackerLoops() {
    return attackerLoops;
  }

  /** The same listener as a resolved socket address, for raw sockets. */
  InetSocketAddress address(Transport transport) {
    return new InetSocketAddress("127.0.0.1", endpoint(transport).port());
  }

  Path dataDir() {
    return dataDir;
  }

  AdminAccess admin() throws Exception {
    return AdminAccess.read(dataDir).orElseThrow();
  }

  /** Id of the partner's stream into the victim: a stream of another peer for the attackers. */
  long partnerStream() {
    return view.streams().stream().filter(s -> s.peer().equals(partner.identity()))
        .map(StreamInfo::id).map(StreamId::parse).mapToLong(StreamId::value).findFirst().orElseThrow();
  }

  /** Waits for the victim to publish a matching event since the current attack began. */
  <T extends Event> T awaitEvent(Class<T> type, Predicate<T> match, Duration within)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    for (long left = within.toNanos(); left > 0; left = deadline - System.nanoTime()) {
      Event e = events.poll(Duration.ofNanos(left));
      if (type.isInstance(e) && match.test(type.cast(e))) {
        return type.cast(e);
      }
    }
    throw new AssertionError("the victim published no matching " + type.getSimpleName() + " within " + within);
  }

  /**
   * Runs {@code attack}; fails unless its own checks pass, the background transfer progresses
   * while it runs and after it, memory stays within bounds, and the node still answers.
   */
  void survives(Attack attack) throws Exception {
    background.awaitProgress(PROGRESS, PROGRESS_WAIT, "before the attack");
    try (Subscription subscription = node.subscribe(4096); MemoryWatch memory = MemoryWatch.start(heapAfterGc)) {
      events = subscription;
      Future<?> running = attacks.submit(() -> {
        attack.run(this);
        return null;
      });
      background.awaitProgress(PROGRESS, PROGRESS_WAIT, "during the attack");
      try {
        running.get(ATTACK_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof Error error) {
          throw error;
        }
        throw (Exception) e.getCause();
      } finally {
        running.cancel(true);
      }
      background.awaitProgress(PROGRESS, PROGRESS_WAIT, "after the attack");
      heapAfterGc = memory.assertBounded(MAX_BUFFER_GROWTH, MAX_HEAP_GROWTH);
    }
    node.status();
  }

  @Override
  public void close() throws Exception {
    attacks.shutdownNow();
    background.close();
    partner.close();
    node.close();
    attackerLoops.close();
  }
}
