package dev.weft.it.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.link.Endpoint;
import dev.weft.link.Stream;
import dev.weft.link.Transport;
import dev.weft.mux.MuxConfig;
import dev.weft.node.Access;
import dev.weft.node.Event;
import dev.weft.node.HostPort;
import dev.weft.node.Json;
import dev.weft.node.Node;
import dev.weft.node.NodeConfig;
import dev.weft.node.Subscription;
import dev.weft.node.admin.NodeAdmin;
import dev.weft.node.admin.NodeControl;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Two nodes in this JVM over real loopback sockets: A dials B, whose TCP and KCP listeners sit
 * behind a {@link TcpRelay} and a {@link UdpRelay}, so tests can break, slow down and restore the
 * paths. B serves {@link #FLOW}: every session opened to it becomes a {@link FlowEnd}.
 */
final class NodePair implements AutoCloseable {
  static final String FLOW = "flow";
  static final long WAIT_SECONDS = 30;
  /** Fast liveness, so a silently dead path is noticed in seconds (with room for a starved machine). */
  static final MuxConfig MUX = NodeConfig.SMALL_NODE_MUX
      .withPing(Duration.ofMillis(250), Duration.ofSeconds(8));
  /** Each end's rate on every flow: data always in flight, the machine not saturated. */
  static final long RATE = 512L << 10;

  final Node a;
  final Node b;
  /** A and B as their admin API sees them: ids as text, rows, refusals as NodeControl says. */
  final NodeControl adminA;
  final NodeControl adminB;
  final TcpRelay tcp;
  final UdpRelay kcp;
  final Subscription aEvents;
  private final long rate;
  private final Map<Long, CompletableFuture<FlowEnd>> served = new ConcurrentHashMap<>();
  /** A's events taken from the subscription but not yet matched. */
  private final List<Event> seen = new ArrayList<>();

  private NodePair(Node a, Node b, TcpRelay tcp, UdpRelay kcp, long rate) {
    this.a = a;
    this.b = b;
    this.adminA = new NodeAdmin(a);
    this.adminB = new NodeAdmin(b);
    this.tcp = tcp;
    this.kcp = kcp;
    this.rate = rate;
    this.aEvents = a.subscribe(100_000);
    b.expose(FLOW, (session, peer) -> servedEnd(session.id().value())
        .complete(new FlowEnd(session, true, rate).start()), Access.anyone());
  }

  /** A with its admin API; both with {@code mux}; flows at {@link #RATE}. */
  static NodePair start(Path dir, MuxConfig mux) throws IOException {
    return start(dir, mux, RATE);
  }

  /** As above, each end of each flow sending {@code rate} bytes per second. */
  static NodePair start(Path dir, MuxConfig mux, long rate) throws IOException {
    Node b = Node.start(NodeConfig.builder(dir.resolve("b")).createIdentity(true).mux(mux)
        .listen("tcp:127.0.0.1:0").listen("kcp:127.0.0.1:0").build());
    Node a = null;
    TcpRelay tcp = null;
    try {
      a = Node.start(NodeConfig.builder(dir.resolve("a")).createIdentity(true).mux(mux)
          .admin(HostPort.parse("127.0.0.1:0"), false).build());
      tcp = new TcpRelay(address(listener(b, Transport.TCP)));
      return new NodePair(a, b, tcp, new UdpRelay(address(listener(b, Transport.KCP))), rate);
    } catch (IOException | RuntimeException e) {
      if (tcp != null) {
        tcp.close();
      }
      if (a != null) {
        a.close();
      }
      b.close();
      throw e;
    }
  }

  static Endpoint listener(Node node, Transport transport) {
    return node.listeners().stream().filter(e -> e.transport() == transport).findFirst().orElseThrow();
  }

  private static InetSocketAddress address(Endpoint endpoint) {
    return new InetSocketAddress(endpoint.host(), endpoint.port());
  }

  /** The endpoint through the relay of {@code transport}. */
  Endpoint path(Transport transport) {
    return new Endpoint(transport, "127.0.0.1", transport == Transport.TCP ? tcp.port() : kcp.port());
  }

  /** A new stream from A to B over {@code transport} through its relay, ready at both ends. */
  Stream link(Transport transport) throws Exception {
    return await(a.link(b.identity(), path(transport)));
  }

  /** A new stream from A straight to B's listener (no relay), ready at both ends. */
  Stream linkDirect(Transport transport) throws Exception {
    return await(a.link(b.identity(), listener(b, transport)));
  }

  /** Opens a session from A to B's flow service and starts both ends. */
  FlowEnd open() throws Exception {
    return await(openLater());
  }

  /** As {@link #open()}, without waiting: many opens may be under way at once. */
  CompletableFuture<FlowEnd> openLater() {
    return a.open(b.identity(), FLOW).thenApply(session -> new FlowEnd(session, false, rate).start());
  }

  /** B's end of a flow A opened. */
  FlowEnd served(FlowEnd opener) throws Exception {
    return await(servedEnd(opener.session.id().value()));
  }

  private CompletableFuture<FlowEnd> servedEnd(long id) {
    return served.computeIfAbsent(id, k -> new CompletableFuture<>());
  }

  /**
   * Stops the openers' writing (B's ends stop when A's data ends) and checks both directions of
   * every flow: what each end wrote is exactly what the other received, byte count and CRC32C;
   * every byte was also checked in order as it arrived.
   */
  void finish(List<FlowEnd> openers) throws Exception {
    openers.forEach(FlowEnd::stop);
    for (FlowEnd opener : openers) {
      FlowEnd server = served(opener);
      FlowEnd.Totals sentByA = await(opener.written);
      assertEquals(sentByA, await(server.received), "A to B");
      FlowEnd.Totals sentByB = await(server.written);
      assertEquals(sentByB, await(opener.received), "B to A");
      assertTrue(sentByA.bytes() > 0 && sentByB.bytes() > 0, "both directions carried data");
    }
  }

  /**
   * Takes the first event on A that matches, from those already seen or arriving within
   * {@link #WAIT_SECONDS}; events that do not match stay for later calls.
   */
  <T extends Event> T next(Class<T> type, Predicate<T> matching) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    for (int i = 0; ; i++) {
      if (i == seen.size()) {
        long left = deadline - System.nanoTime();
        Event e = left > 0 ? aEvents.poll(Duration.ofNanos(left)) : null;
        if (e == null) {
          throw new AssertionError("no such " + type.getSimpleName() + " event within " + WAIT_SECONDS + " s");
        }
        seen.add(e);
      }
      Event e = seen.get(i);
      if (type.isInstance(e) && matching.test(type.cast(e))) {
        seen.remove(i);
        return type.cast(e);
      }
    }
  }

  /** True if no event on A matches for all of {@code quiet} (a bounded wait by design). */
  <T extends Event> boolean none(Class<T> type, Predicate<T> matching, Duration quiet)
      throws InterruptedException {
    long deadline = System.nanoTime() + quiet.toNanos();
    for (long left; (left = deadline - System.nanoTime()) > 0; ) {
      Event e = aEvents.poll(Duration.ofNanos(left));
      if (type.isInstance(e) && matching.test(type.cast(e))) {
        return false;
      }
    }
    return true;
  }

  /** An event as the admin API's event feed and {@code weft events} show it. */
  static JsonNode json(Event event) throws IOException {
    return Json.mapper().readTree(Json.mapper().writeValueAsBytes(event));
  }

  static <T> T await(CompletableFuture<T> future) throws Exception {
    return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws IOException {
    aEvents.close();
    a.close();
    b.close();
    tcp.close();
    kcp.close();
  }
}
