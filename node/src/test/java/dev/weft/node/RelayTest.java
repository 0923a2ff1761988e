package dev.weft.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.link.Endpoint;
import dev.weft.link.Stream;
import dev.weft.link.Transport;
import dev.weft.mux.Session;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Relayed streams over loopback: a relay R, a reserving node B, a dialler A (docs/nat.md), and the
 * hole punch that replaces a relayed stream by a direct one (no NAT here: the candidates are
 * loopback addresses; integration-tests' HolePunchNatTest punches through real NATs).
 */
@Timeout(60)
class RelayTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  @TempDir
  Path dirR;
  @TempDir
  Path dirA;
  @TempDir
  Path dirB;
  private final List<Node> nodes = new ArrayList<>();

  @AfterEach
  void stop() {
    nodes.forEach(Node::close);
  }

  private Node start(NodeConfig.Builder config) throws Exception {
    Node node = Node.start(config.createIdentity(true).threads(1).build());
    nodes.add(node);
    return node;
  }

  private Node relay(RelayLimits limits) throws Exception {
    return start(NodeConfig.builder(dirR).listen("tcp:127.0.0.1:0").listen("kcp:127.0.0.1:0").relay(true, limits));
  }

  private static ReservedRelay reservation(Node relay, Transport transport) {
    return new ReservedRelay(relay.identity(), endpoint(relay, transport).toString());
  }

  private static Endpoint endpoint(Node node, Transport transport) {
    return node.listeners().stream().filter(e -> e.transport() == transport).findFirst().orElseThrow();
  }

  private static Endpoint through(Node relay) {
    return through(relay, Transport.TCP);
  }

  private static Endpoint through(Node relay, Transport transport) {
    Endpoint hop = endpoint(relay, transport);
    return new Endpoint(hop.transport(), hop.host(), hop.port(), relay.identity());
  }

  private static <E extends Event> E await(Subscription events, Class<E> type, Predicate<E> wanted)
      throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      Event e = events.poll(Duration.ofMillis(200));
      if (type.isInstance(e) && wanted.test(type.cast(e))) {
        return type.cast(e);
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " within " + WAIT);
  }

  private static RelayRefusedException refusal(ExecutionException e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof RelayRefusedException refused) {
        return refused;
      }
    }
    throw new AssertionError("not a relay refusal", e);
  }

  private Node reserving(Path dir, Node relay) throws Exception {
    return reserving(dir, relay, Transport.TCP);
  }

  private Node reserving(Path dir, Node relay, Transport transport) throws Exception {
    return start(NodeConfig.builder(dir).reserve(reservation(relay, transport)));
  }

  private static void awaitReserved(Node node) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (node.status().limits().stream().noneMatch(l -> l.name().equals("reservations held at relays")
        && l.used() == 1)) {
      assertTrue(System.nanoTime() < deadline, "no reservation within " + WAIT);
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  /** Writes {@code data} while reading the echo (an echo stops reading while its reply waits). */
  private static byte[] echoed(Session session, byte[] data) throws Exception {
    CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
      try (OutputStream out = session.outputStream()) {
        out.write(data);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    try (InputStream in = session.inputStream()) {
      byte[] back = in.readAllBytes();
      written.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      return back;
    }
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"TCP", "KCP"})
  void linksThroughARelayAndCarriesSessions(Transport toRelay) throws Exception {
    Node r = relay(RelayLimits.defaults());
    Node b = reserving(dirB, r, toRelay);
    Subscription bEvents = b.subscribe(100);
    awaitReserved(b);
    // b learns where the relay sees it: the source address of b's stream to the relay.
    Stream carrier = b.peer(r.identity()).orElseThrow().streams().get(0);
    assertEquals(List.of(new ObservedAddress("127.0.0.1:" + carrier.localAddress().getPort(), r.identity())),
        b.status().observed());
    b.expose("echo", NodeTest::echo, Access.anyone());
    Node a = start(NodeConfig.builder(dirA));

    Stream stream = a.link(b.identity(), through(r, toRelay)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    // The CONNECT's reply tells a, which holds no reservation, where the relay sees it too.
    Stream aToRelay = a.peer(r.identity()).orElseThrow().streams().get(0);
    assertEquals(List.of(new ObservedAddress("127.0.0.1:" + aToRelay.localAddress().getPort(), r.identity())),
        a.status().observed());
    assertEquals(Transport.RELAY, stream.transport());
    assertEquals(b.identity(), stream.remote());
    assertEquals(endpoint(r, toRelay).port(), stream.remoteAddress().getPort(),
        "a relayed stream shows the relay's address");
    Event.StreamOpened opened = await(bEvents, Event.StreamOpened.class, e -> e.peer().equals(a.identity()));
    assertEquals("relay", opened.transport());

    byte[] data = new byte[1 << 20];
    new Random(1).nextBytes(data);
    Session session = a.open(b.identity(), "echo").get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertArrayEquals(data, echoed(session, data));
    assertEquals(List.of(through(r, toRelay)), a.knownEndpoints(b.identity()), "kept like any endpoint");
    assertEquals(1, r.status().limits().stream().filter(l -> l.name().equals("relayed streams"))
        .findFirst().orElseThrow().used());
  }

  @Test
  void aNodeThatDoesNotRelayOrHasNoReservationRefusesWithAReason() throws Exception {
    Node plain = start(NodeConfig.builder(dirR).listen("tcp:127.0.0.1:0"));
    Node a = start(NodeConfig.builder(dirA));
    Node b = start(NodeConfig.builder(dirB));
    ExecutionException notRelay = assertThrows(ExecutionException.class,
        () -> a.link(b.identity(), through(plain)).get(WAIT.toSeconds(), TimeUnit.SECONDS));
    assertEquals("NOT_A_RELAY", refusal(notRelay).code());
    assertTrue(refusal(notRelay).getMessage().contains("does not relay"), refusal(notRelay).getMessage());

    plain.close();
    nodes.remove(plain);
    Node r = relay(RelayLimits.defaults());
    Subscription rEvents = r.subscribe(100);
    ExecutionException unreserved = assertThrows(ExecutionException.class,
        () -> a.link(b.identity(), through(r)).get(WAIT.toSeconds(), TimeUnit.SECONDS));
    assertEquals("NO_RESERVATION", refusal(unreserved).code());
    Event.RelayRefused refused = await(rEvents, Event.RelayRefused.class, e -> true);
    assertEquals(a.identity(), refused.peer());
    assertEquals("NO_RESERVATION", refused.code());
  }

  @Test
  void relayLimitsRefuseWithReasons() throws Exception {
    Node r = relay(RelayLimits.defaults()
        .withReservations(1, Duration.ofHours(1), Access.anyone())
        .withStreams(1, 8, 1L << 30, Duration.ofHours(1)));
    Subscription rEvents = r.subscribe(100);
    Node b = reserving(dirB, r);
    awaitReserved(b);
    Node a = reserving(dirA, r);
    Event.RelayRefused full = await(rEvents, Event.RelayRefused.class, e -> e.peer().equals(a.identity()));
    assertEquals("RESERVATIONS_FULL", full.code());
    assertTrue(full.reason().contains("limit 1"), full.reason());

    a.link(b.identity(), through(r)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    ExecutionException second = assertThrows(ExecutionException.class,
        () -> a.link(b.identity(), through(r)).get(WAIT.toSeconds(), TimeUnit.SECONDS));
    assertEquals("STREAMS_FULL", refusal(second).code());
    assertTrue(refusal(second).getMessage().contains("limit 1"), refusal(second).getMessage());
    String scraped = new String(r.metrics().scrape(), StandardCharsets.UTF_8);
    // a's reservation is refused again at each retry: at least that one and the stream.
    Matcher refusals = Pattern.compile("weft_relay_refusals_total (\\d+)").matcher(scraped);
    assertTrue(refusals.find() && Integer.parseInt(refusals.group(1)) >= 2, scraped);
    assertTrue(scraped.contains("weft_limit_used{limit=\"relayed_streams\"} 1.0"), scraped);
  }

  @Test
  void linksMadeAtOnceThroughOneRelayShareOneRelayedStream() throws Exception {
    // One relayed stream per peer: a second one at once (relinker and an open) would be refused.
    Node r = relay(RelayLimits.defaults().withStreams(1, 4, 1L << 30, Duration.ofHours(1)));
    Node b = reserving(dirB, r);
    awaitReserved(b);
    Node a = start(NodeConfig.builder(dirA));
    CompletableFuture<Stream> first = a.link(b.identity(), through(r));
    CompletableFuture<Stream> second = a.link(b.identity(), through(r));
    assertSame(first.get(WAIT.toSeconds(), TimeUnit.SECONDS), second.get(WAIT.toSeconds(), TimeUnit.SECONDS));
  }

  @Test
  void aRelayedStreamClosesAtItsByteLimit() throws Exception {
    Node r = relay(RelayLimits.defaults().withStreams(4, 8, 1 << 20, Duration.ofHours(1)));
    Node b = reserving(dirB, r);
    awaitReserved(b);
    b.expose("discard", (session, peer) -> session.handler((s, data) -> data.release()), Access.anyone());
    Node a = start(NodeConfig.builder(dirA));
    Stream stream = a.link(b.identity(), through(r)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    Session session = a.open(b.identity(), "discard").get(WAIT.toSeconds(), TimeUnit.SECONDS);
    for (int i = 0; i < 32 && !stream.closeFuture().isDone(); i++) {
      session.write(Unpooled.wrappedBuffer(new byte[64 * 1024]));
    }
    stream.closeFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void reservationsAreRenewedAndMadeAgainAfterTheRelayRestarts() throws Exception {
    Node r = relay(RelayLimits.defaults().withReservations(8, Duration.ofSeconds(2), Access.anyone()));
    int port = endpoint(r, Transport.TCP).port();
    Node b = reserving(dirB, r);
    Subscription bEvents = b.subscribe(100);
    await(bEvents, Event.ReservationRenewed.class, e -> e.relay().equals(r.identity()));
    b.expose("echo", NodeTest::echo, Access.anyone());
    Node a = start(NodeConfig.builder(dirA));
    a.link(b.identity(), through(r)).get(WAIT.toSeconds(), TimeUnit.SECONDS);

    r.close();
    nodes.remove(r);
    Node again = start(NodeConfig.builder(dirR).listen("tcp:127.0.0.1:" + port).relay(true, RelayLimits.defaults()));
    Event.ReservationMade made = await(bEvents, Event.ReservationMade.class, e -> e.relay().equals(again.identity()));
    assertEquals(3600, made.lifetimeSeconds());
    // The stream to the relay is a new one: the relay sees b at another port, and b is told.
    Event.AddressObserved seen = await(bEvents, Event.AddressObserved.class, e -> e.relay().equals(again.identity()));
    assertEquals(List.of(new ObservedAddress(seen.address(), again.identity())), b.status().observed());
    // No stream to b is left: opening links it again from its known endpoint, the relayed one.
    Session session = a.open(b.identity(), "echo").get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertArrayEquals(new byte[] {1, 2, 3}, echoed(session, new byte[] {1, 2, 3}));
  }

  /** b reserves at r and listens on KCP (loopback) when {@code kcp}; a dials it through r. */
  private Node[] punchingPair(boolean kcp, boolean keepRelayed) throws Exception {
    Node r = relay(RelayLimits.defaults());
    NodeConfig.Builder bConfig = NodeConfig.builder(dirB).reserve(reservation(r, Transport.TCP));
    Node b = start(kcp ? bConfig.listen("kcp:127.0.0.1:0") : bConfig);
    awaitReserved(b);
    b.expose("echo", NodeTest::echo, Access.anyone());
    Node a = start(NodeConfig.builder(dirA).holePunch(true, keepRelayed));
    return new Node[] {r, a, b};
  }

  @Test
  void aPunchedDirectStreamReplacesTheRelayedOneAndTakesItsSessionsLive() throws Exception {
    Node[] nodes = punchingPair(true, false);
    Node r = nodes[0];
    Node a = nodes[1];
    Node b = nodes[2];
    Subscription aEvents = a.subscribe(200);
    Subscription bEvents = b.subscribe(200);
    Stream relayed = a.link(b.identity(), through(r)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    Session session = a.open(b.identity(), "echo").get(WAIT.toSeconds(), TimeUnit.SECONDS);
    byte[] data = new byte[4 << 20];
    new Random(2).nextBytes(data);
    CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> {
      try {
        return echoed(session, data);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });

    Event.HolePunchStarted started = await(aEvents, Event.HolePunchStarted.class, e -> e.peer().equals(b.identity()));
    assertEquals("initiator", started.role());
    assertEquals(relayed.id().toString(), started.relayed());
    Event.HolePunchSucceeded punched = await(aEvents, Event.HolePunchSucceeded.class, e -> true);
    assertTrue(punched.dialled(), "a dials: b has the KCP listener");
    Event.SessionsMovedDirect moved = await(aEvents, Event.SessionsMovedDirect.class, e -> true);
    assertEquals(relayed.id().toString(), moved.from());
    assertEquals("responder", await(bEvents, Event.HolePunchStarted.class, e -> true).role());
    assertTrue(await(bEvents, Event.HolePunchSucceeded.class, e -> true).millis() >= 0);

    assertArrayEquals(data, back.get(WAIT.toSeconds(), TimeUnit.SECONDS), "not a byte lost across the move");
    relayed.closeFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    List<Stream> streams = a.peer(b.identity()).orElseThrow().streams();
    assertEquals(List.of(Transport.KCP), streams.stream().map(Stream::transport).toList());
    assertEquals(moved.to(), streams.get(0).id().toString());
    assertTrue(session.migrations() >= 1, "the session moved off the relayed stream");
    assertTrue(new String(a.metrics().scrape(), StandardCharsets.UTF_8)
        .contains("weft_hole_punches_total{outcome=\"succeeded\"} 1.0"));
    Session fresh = a.open(b.identity(), "echo").get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(streams.get(0).id().value(), fresh.streamId(), "new sessions go direct");
  }

  @Test
  void withKeepRelayedTheRelayedStreamStaysAsAStandby() throws Exception {
    Node[] nodes = punchingPair(true, true);
    Subscription aEvents = nodes[1].subscribe(200);
    Stream relayed = nodes[1].link(nodes[2].identity(), through(nodes[0])).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertTrue(await(aEvents, Event.SessionsMovedDirect.class, e -> true).relayedKept());
    assertEquals(List.of(Transport.KCP, Transport.RELAY), nodes[1].peer(nodes[2].identity()).orElseThrow().streams()
        .stream().map(Stream::transport).sorted().toList());
    assertTrue(!relayed.closeFuture().isDone());
  }

  @Test
  void withoutAKcpListenerThePunchFailsWithAReasonAndSessionsStayOnTheRelay() throws Exception {
    Node[] nodes = punchingPair(false, false);
    Node a = nodes[1];
    Node b = nodes[2];
    Subscription aEvents = a.subscribe(200);
    a.link(b.identity(), through(nodes[0])).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    Event.HolePunchFailed failed = await(aEvents, Event.HolePunchFailed.class, e -> true);
    assertEquals("neither side has a KCP listener", failed.reason());
    assertEquals(HolePunching.FIRST_RETRY.toSeconds(), failed.retrySeconds());
    Session session = a.open(b.identity(), "echo").get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertArrayEquals(new byte[] {4, 5, 6}, echoed(session, new byte[] {4, 5, 6}));
    assertEquals(List.of(Transport.RELAY), a.peer(b.identity()).orElseThrow().streams().stream()
        .map(Stream::transport).toList());
  }

  @Test
  void aPeerGetsOnePunchAtATimeAndNotTwoWithinTheInterval() throws Exception {
    Node b = start(NodeConfig.builder(dirB).listen("tcp:127.0.0.1:0").listen("kcp:127.0.0.1:0"));
    Node a = start(NodeConfig.builder(dirA).holePunch(false, false));
    a.link(b.identity(), endpoint(b, Transport.TCP)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    // The first waits for candidates that never come; the second, at once, is refused.
    Session first = a.open(b.identity(), PunchMessage.SERVICE).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    Session second = a.open(b.identity(), PunchMessage.SERVICE).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    ExecutionException refused = assertThrows(ExecutionException.class,
        () -> second.closeFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS));
    assertTrue(refused.getCause().getMessage().contains("is running or began less than 10 s ago"),
        refused.getCause().getMessage());
    // Nine candidates are one too many: the punch session is reset, nothing is probed.
    io.netty.buffer.ByteBuf tooMany = Unpooled.buffer().writeByte(1).writeZero(PunchMessage.NONCE_LENGTH)
        .writeByte(0).writeByte(9);
    first.write(tooMany);
    ExecutionException reset = assertThrows(ExecutionException.class,
        () -> first.closeFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS));
    assertTrue(reset.getCause().getMessage().contains("9 candidates (at most 8)"), reset.getCause().getMessage());
  }
}
