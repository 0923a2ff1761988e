package dev.weft.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.identity.Identity;
import dev.weft.identity.NodeKey;
import dev.weft.link.Endpoint;
import dev.weft.link.IdentityMismatchException;
import dev.weft.link.RefusedException;
import dev.weft.link.Stream;
import dev.weft.link.Transport;
import dev.weft.mux.Session;
import dev.weft.mux.SessionRejectedException;
import io.netty.buffer.Unpooled;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class NodeTest {
  @TempDir
  Path dirA;
  @TempDir
  Path dirB;
  Node a;
  Node b;

  private static Node start(Path dir) throws Exception {
    return Node.start(NodeConfig.builder(dir).createIdentity(true).threads(1)
        .listen("tcp:127.0.0.1:0").listen("kcp:127.0.0.1:0").build());
  }

  @BeforeEach
  void startNodes() throws Exception {
    a = start(dirA);
    b = start(dirB);
  }

  @AfterEach
  void stopNodes() {
    a.close();
    b.close();
  }

  private Endpoint endpointOf(Node node, Transport transport) {
    return node.listeners().stream().filter(e -> e.transport() == transport).findFirst()
        .map(e -> new Endpoint(transport, "127.0.0.1", e.port())).orElseThrow();
  }

  private static Event await(Subscription events, Predicate<Event> wanted) throws Exception {
    while (true) {
      Event e = events.poll(Duration.ofSeconds(10));
      if (e == null) {
        throw new AssertionError("event did not arrive");
      }
      if (wanted.test(e)) {
        return e;
      }
    }
  }

  /** A service that sends back what it reads until the opener half-closes. */
  static void echo(Session session, Identity peer) {
    Thread worker = new Thread(() -> {
      try (InputStream in = session.inputStream(); OutputStream out = session.outputStream()) {
        in.transferTo(out);
      } catch (Exception e) {
        session.reset("echo failed: " + e.getMessage());
      }
    }, "echo");
    worker.setDaemon(true);
    worker.start();
  }

  private static byte[] roundTrip(Session session, byte[] data) throws Exception {
    try (OutputStream out = session.outputStream()) {
      out.write(data);
    }
    try (InputStream in = session.inputStream()) {
      return in.readAllBytes();
    }
  }

  @Test
  void linksByIdentityWithSeveralStreamsAndCarriesSessions() throws Exception {
    Subscription events = b.subscribe(100);
    b.expose("echo", NodeTest::echo, Access.anyone());
    Stream first = a.link(b.identity(), endpointOf(b, Transport.TCP)).get(10, TimeUnit.SECONDS);
    Stream second = a.link(b.identity(), endpointOf(b, Transport.TCP)).get(10, TimeUnit.SECONDS);
    assertEquals(b.identity(), first.remote());
    assertNotEquals(first.id(), second.id());
    Event.PeerLinked linked = (Event.PeerLinked) await(events, e -> e instanceof Event.PeerLinked);
    assertEquals(a.identity(), linked.peer());
    assertEquals(1, b.peers().size());
    assertEquals(2, b.peers().get(0).streams().size());
    assertEquals(2, a.status().streams());

    byte[] data = "hello over weft".repeat(1000).getBytes(StandardCharsets.UTF_8);
    Session session = a.open(b.identity(), "echo").get(10, TimeUnit.SECONDS);
    assertArrayEquals(data, roundTrip(session, data));
    Event.SessionOpened opened = (Event.SessionOpened) await(events,
        e -> e instanceof Event.SessionOpened);
    assertEquals("echo", opened.service());
    assertTrue(opened.inbound());
  }

  @Test
  void aWrongIdentityAtTheEndpointIsRefusedAndTheListenerIsTold() throws Exception {
    Subscription events = b.subscribe(100);
    Identity expected = NodeKey.generate().identity();
    ExecutionException failed = assertThrows(ExecutionException.class, () -> a.link(
        expected, endpointOf(b, Transport.TCP)).get(10, TimeUnit.SECONDS));
    assertInstanceOf(IdentityMismatchException.class, failed.getCause());
    assertEquals(0, a.status().streams());
    Event.DialerRefused refused = (Event.DialerRefused) await(events, e -> e instanceof Event.DialerRefused);
    assertEquals("identity mismatch: the dialer expected " + expected + ", not " + b.identity(), refused.reason());
    assertTrue(refused.remote().contains("127.0.0.1"), refused.remote());
    assertEquals(0, b.status().streams());
  }

  @Test
  void aMuxProtocolErrorIsTheCloseReasonBothNodesReport() throws Exception {
    Subscription eventsA = a.subscribe(100);
    Subscription eventsB = b.subscribe(100);
    Stream stream = a.link(b.identity(), endpointOf(b, Transport.TCP)).get(10, TimeUnit.SECONDS);
    // Plaintext under a's mux: a frame of unknown type 0x7f on session 9 with an empty body.
    stream.channel().writeAndFlush(Unpooled.wrappedBuffer(new byte[] {0x7f, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0}));
    String why = "mux protocol error: unknown frame type 127";
    Predicate<Event> closed = e -> e instanceof Event.StreamClosed c && c.stream().equals(stream.id().toString());
    assertEquals("closed locally: " + why, ((Event.StreamClosed) await(eventsB, closed)).reason());
    assertEquals("closed by peer: " + why, ((Event.StreamClosed) await(eventsA, closed)).reason());
  }

  @Test
  void servicesRefusePeersNotOnTheirAllowlist() throws Exception {
    Subscription events = b.subscribe(100);
    b.expose("secret", NodeTest::echo, Access.only(Set.of(NodeKey.generate().identity())));
    a.link(b.identity(), endpointOf(b, Transport.TCP)).get(10, TimeUnit.SECONDS);
    ExecutionException refused = assertThrows(ExecutionException.class,
        () -> a.open(b.identity(), "secret").get(10, TimeUnit.SECONDS));
    assertInstanceOf(SessionRejectedException.class, refused.getCause());
    Event.SessionRejected rejected = (Event.SessionRejected) await(events,
        e -> e instanceof Event.SessionRejected);
    assertEquals(a.identity(), rejected.peer());
    assertTrue(rejected.reason().contains("allowlist"), rejected.reason());
  }

  @Test
  void openLinksThroughKnownEndpointsWhenThereIsNoStream() throws Exception {
    b.expose("echo", NodeTest::echo, Access.anyone());
    Stream first = a.link(b.identity(), endpointOf(b, Transport.TCP)).get(10, TimeUnit.SECONDS);
    first.close("test");
    first.closeFuture().get(10, TimeUnit.SECONDS);
    Session session = a.open(b.identity(), "echo").get(10, TimeUnit.SECONDS);
    assertArrayEquals(new byte[] {1, 2, 3}, roundTrip(session, new byte[] {1, 2, 3}));
  }

  @Test
  void theLinkPolicyRefusesUnknownPeersWithAReason(@TempDir Path dirC) throws Exception {
    try (Node guarded = Node.start(NodeConfig.builder(dirC).createIdentity(true).threads(1)
        .listen("tcp:127.0.0.1:0").linkPolicy(Access.only(Set.of(b.identity()))).build())) {
      Subscription events = guarded.subscribe(16);
      ExecutionException refused = assertThrows(ExecutionException.class, () -> a.link(
          guarded.identity(), endpointOf(guarded, Transport.TCP)).get(10, TimeUnit.SECONDS));
      assertInstanceOf(RefusedException.class, refused.getCause());
      assertTrue(refused.getCause().getMessage().contains("allowlist"), refused.getCause().getMessage());
      Event.LinkRefused event = (Event.LinkRefused) await(events, e -> e instanceof Event.LinkRefused);
      assertEquals(a.identity(), event.peer());
      assertEquals(0, guarded.status().streams());
    }
  }

  @Test
  void aSecondNodeOnTheSameDataDirectoryIsRefused() {
    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> start(dirA));
    assertTrue(refused.getMessage().contains("already running on " + dirA), refused.getMessage());
  }
}
