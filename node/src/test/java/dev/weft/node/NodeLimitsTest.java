package dev.weft.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.link.Endpoint;
import dev.weft.link.HandshakeException;
import dev.weft.link.RefusedException;
import dev.weft.link.Transport;
import dev.weft.mux.MuxConfig;
import dev.weft.mux.Reason;
import dev.weft.mux.Session;
import dev.weft.mux.SessionRejectedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every node limit refuses over real sockets with its reason, evented and shown in the status. */
@Timeout(30)
class NodeLimitsTest {
  private static final int WINDOW = NodeConfig.SMALL_NODE_MUX.initialWindow();
  /** The smallest window the mux offers a session (docs/protocol.md §16). */
  private static final int MIN_WINDOW = 4 * 1024;

  @TempDir
  Path dirA;
  @TempDir
  Path dirB;
  private final List<Node> nodes = new ArrayList<>();
  private final List<Session> sessions = new ArrayList<>();

  @AfterEach
  void stop() {
    sessions.forEach(s -> s.reset("test over"));
    nodes.forEach(Node::close);
  }

  private Node start(Path dir, NodeLimits limits, MuxConfig mux) throws Exception {
    Node node = Node.start(NodeConfig.builder(dir).createIdentity(true).threads(1)
        .listen("tcp:127.0.0.1:0").listen("kcp:127.0.0.1:0").limits(limits).mux(mux).build());
    nodes.add(node);
    return node;
  }

  private Node start(Path dir, NodeLimits limits) throws Exception {
    return start(dir, limits, NodeConfig.SMALL_NODE_MUX);
  }

  private static Endpoint endpoint(Node node, Transport transport) {
    return node.listeners().stream().filter(e -> e.transport() == transport).findFirst().orElseThrow();
  }

  private static Throwable failure(CompletableFuture<?> future) {
    return assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS)).getCause();
  }

  private static LimitUsage usage(Node node, String name) {
    return node.status().limits().stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
  }

  private static <E extends Event> E next(Subscription events, Class<E> type) throws InterruptedException {
    for (Event e; (e = events.poll(Duration.ofSeconds(10))) != null; ) {
      if (type.isInstance(e)) {
        return type.cast(e);
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " event");
  }

  /** Opens {@code allowed} sessions from a to b's echo, then checks the next one is refused with {@code why}. */
  private void assertSessionLimit(Node a, Node b, int allowed, String why) throws Exception {
    Subscription events = b.subscribe(1000);
    b.expose("echo", (session, peer) -> { }, Access.anyone());
    a.link(b.identity(), endpoint(b, Transport.TCP)).get(10, TimeUnit.SECONDS);
    for (int i = 0; i < allowed; i++) {
      sessions.add(a.open(b.identity(), "echo").get(10, TimeUnit.SECONDS));
    }
    SessionRejectedException refused = assertInstanceOf(SessionRejectedException.class,
        failure(a.open(b.identity(), "echo")));
    assertEquals(Reason.LIMIT_REACHED, refused.reason());
    Event.SessionRejected event = next(events, Event.SessionRejected.class);
    assertEquals(a.identity(), event.peer());
    assertEquals(why, event.reason());
  }

  @Test
  void streamsPerPeerAreCappedInboundAndOutbound() throws Exception {
    Node a = start(dirA, NodeLimits.defaults());
    Node b = start(dirB, NodeLimits.defaults().withStreamsPerPeer(1));
    Subscription events = b.subscribe(100);
    a.link(b.identity(), endpoint(b, Transport.TCP)).get(10, TimeUnit.SECONDS);

    RefusedException refused = assertInstanceOf(RefusedException.class,
        failure(a.link(b.identity(), endpoint(b, Transport.KCP))));
    assertTrue(refused.getMessage().contains("too many streams with this peer (limit 1)"), refused.getMessage());
    assertEquals("too many streams with this peer (limit 1)", next(events, Event.LinkRefused.class).reason());

    IllegalStateException own = assertInstanceOf(IllegalStateException.class,
        failure(b.link(a.identity(), endpoint(a, Transport.TCP))));
    assertEquals("too many streams with this peer (limit 1)", own.getMessage());
    assertEquals(new LimitUsage("streams per peer (busiest)", 1, 1), usage(b, "streams per peer (busiest)"));
  }

  @Test
  void sessionsPerNodeAreCapped() throws Exception {
    Node a = start(dirA, NodeLimits.defaults());
    Node b = start(dirB, NodeLimits.defaults().withSessionsPerNode(2));
    assertSessionLimit(a, b, 2, "too many sessions on this node (limit 2)");
    assertEquals(new LimitUsage("sessions per node", 2, 2), usage(b, "sessions per node"));
    SessionRejectedException own = assertInstanceOf(SessionRejectedException.class,
        failure(b.open(a.identity(), "anything")));
    assertEquals(Reason.LIMIT_REACHED, own.reason());
  }

  @Test
  void sessionsPerPeerAreCapped() throws Exception {
    Node a = start(dirA, NodeLimits.defaults());
    Node b = start(dirB, NodeLimits.defaults(), NodeConfig.SMALL_NODE_MUX.withLimits(1024, 3, 256, 64L << 20, 1 << 20));
    assertSessionLimit(a, b, 3, "too many sessions with this peer (limit 3)");
    assertEquals(new LimitUsage("sessions per peer (busiest)", 3, 3), usage(b, "sessions per peer (busiest)"));
  }

  @Test
  void theNodeMemoryBudgetRefusesSessionsWhoseWindowWouldNotFit() throws Exception {
    Node a = start(dirA, NodeLimits.defaults());
    // Windows shrink to share what is left, down to the mux's 4 KiB minimum: room for eight, of
    // which one peer may take six (a quarter of the node's budget stays for other peers).
    Node b = start(dirB, NodeLimits.defaults().withMemoryBudget(8L * MIN_WINDOW));
    assertSessionLimit(a, b, 6, "receive memory budget exhausted");
    assertEquals(new LimitUsage("receive buffer bytes", 6L * MIN_WINDOW, 8L * MIN_WINDOW), usage(b, "receive buffer bytes"));
  }

  @Test
  void theNodeMemoryBudgetIsSharedOutSoMoreSessionsFitThanInitialWindows() throws Exception {
    Node a = start(dirA, NodeLimits.defaults());
    Node b = start(dirB, NodeLimits.defaults().withMemoryBudget(4L * WINDOW));
    // Four initial windows' worth, of which one peer may take three quarters, shared among the
    // 1,024 sessions it may open: 24 at 4 KiB.
    assertSessionLimit(a, b, (int) (3L * WINDOW / MIN_WINDOW), "receive memory budget exhausted");
  }

  @Test
  void handshakesOverTheSourceRateAreRefused() throws Exception {
    Node a = start(dirA, NodeLimits.defaults());
    Node b = start(dirB, NodeLimits.defaults().withHandshakes(64, 1, 1));
    a.link(b.identity(), endpoint(b, Transport.TCP)).get(10, TimeUnit.SECONDS);
    // Closed unanswered: the dialer sees a close or a reset, never a refusal with a reason.
    Throwable closed = failure(a.link(b.identity(), endpoint(b, Transport.TCP)));
    assertEquals(HandshakeException.class, closed.getClass(), closed.toString());
    // The bucket refills after a second, so a slow run may already see it recovered.
    LimitUsage rate = usage(b, "sources over handshake rate (per s)");
    assertEquals(1, rate.limit());
    assertTrue(rate.used() <= 1, rate.toString());
    assertEquals(new LimitUsage("pending handshakes", 0, 64), usage(b, "pending handshakes"));
  }

  @Test
  void limitsMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> NodeLimits.defaults().withStreamsPerPeer(0));
    assertThrows(IllegalArgumentException.class, () -> NodeLimits.defaults().withHandshakes(64, 0, 1));
  }
}
