package dev.weft.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.identity.Identity;
import dev.weft.link.Endpoint;
import dev.weft.link.Stream;
import dev.weft.mux.MuxConfig;
import dev.weft.mux.Session;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The peer table keeps an entry only while something needs it, over real loopback links. */
@Timeout(60)
class PeerTableTest {
  private static final Duration GRACE = Duration.ofSeconds(2);

  @TempDir
  Path dir;
  Node hub;
  Endpoint hubEndpoint;

  @BeforeEach
  void startHub() throws Exception {
    // Visitors link from 127.0.0.1 many times a second: above the default per-source handshake rate.
    hub = Node.start(NodeConfig.builder(dir.resolve("hub")).createIdentity(true).threads(1)
        .listen("tcp:127.0.0.1:0").mux(MuxConfig.defaults().withFailoverGrace(GRACE))
        .limits(NodeLimits.defaults().withHandshakes(64, 1000, 1000)).build());
    hub.expose("echo", NodeTest::echo, Access.anyone());
    hubEndpoint = new Endpoint(hub.listeners().get(0).transport(), "127.0.0.1",
        hub.listeners().get(0).port());
  }

  @AfterEach
  void stopHub() {
    hub.close();
  }

  /** A node without failover of its own, so only the hub's grace keeps sessions waiting. */
  private Node client(String name) throws Exception {
    return Node.start(NodeConfig.builder(dir.resolve(name)).createIdentity(true).threads(1)
        .mux(MuxConfig.defaults().withFailoverGrace(Duration.ZERO)).build());
  }

  /** Opens an echo session and checks a byte's round trip; {@code finish} also ends the session. */
  private static void echoing(Node from, Identity to, boolean finish) throws Exception {
    Session session = from.open(to, "echo").get(10, TimeUnit.SECONDS);
    OutputStream out = session.outputStream();
    InputStream in = session.inputStream();
    out.write(7);
    if (finish) {
      out.close();
      assertArrayEquals(new byte[] {7}, in.readAllBytes());
    } else {
      assertEquals(7, in.read());
    }
  }

  private LinkedPeer entryOf(Identity peer) {
    return hub.peer(peer).orElseThrow(() -> new AssertionError("no entry for " + peer));
  }

  @Test
  void peersThatLinkedWithFreshKeysAndLeftAreForgotten() throws Exception {
    List<LinkedPeer> entries = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      try (Node visitor = client("visitor" + i)) {
        Stream stream = visitor.link(hub.identity(), hubEndpoint).get(10, TimeUnit.SECONDS);
        // Every other session stays open: the hub's side of it fails over and waits out the grace.
        echoing(visitor, hub.identity(), i % 2 == 0);
        entries.add(entryOf(visitor.identity()));
        visitor.unlink(stream.id(), false).get(10, TimeUnit.SECONDS);
      }
    }
    for (LinkedPeer entry : entries) {
      entry.forgotten().get(10, TimeUnit.SECONDS);
      assertTrue(entry.mux().sessions().isEmpty());
    }
    assertTrue(hub.peers().isEmpty());
    assertEquals(0, hub.status().sessions());
  }

  private static void awaitFailover(Subscription events) throws InterruptedException {
    for (Event e = events.poll(Duration.ofSeconds(10)); e != null; e = events.poll(Duration.ofSeconds(10))) {
      if (e instanceof Event.FailoverStarted) {
        return;
      }
    }
    throw new AssertionError("no failover on the hub");
  }

  @Test
  void anEntryWaitsForTheSessionsFailingOver() throws Exception {
    try (Node visitor = client("visitor")) {
      Stream stream = visitor.link(hub.identity(), hubEndpoint).get(10, TimeUnit.SECONDS);
      echoing(visitor, hub.identity(), false);
      LinkedPeer entry = entryOf(visitor.identity());
      Subscription events = hub.subscribe(64);
      visitor.unlink(stream.id(), false).get(10, TimeUnit.SECONDS);
      awaitFailover(events);
      // The session waits for a stream: the entry that holds it must still be there.
      assertFalse(entry.forgotten().isDone());
      assertEquals(entry, entryOf(visitor.identity()));
      entry.forgotten().get(10, TimeUnit.SECONDS);
      assertTrue(hub.peers().isEmpty());
    }
  }

  @Test
  void aPeerLinkingAgainRightAfterUnlinkingGetsAWorkingEntry() throws Exception {
    try (Node visitor = client("visitor")) {
      for (int i = 0; i < 20; i++) {
        Stream stream = visitor.link(hub.identity(), hubEndpoint).get(10, TimeUnit.SECONDS);
        echoing(visitor, hub.identity(), true);
        LinkedPeer entry = entryOf(visitor.identity());
        visitor.unlink(stream.id(), false).get(10, TimeUnit.SECONDS);
        if (i % 5 == 4) {
          entry.forgotten().get(10, TimeUnit.SECONDS); // also after the entry surely went
        }
      }
      visitor.link(hub.identity(), hubEndpoint).get(10, TimeUnit.SECONDS);
      echoing(visitor, hub.identity(), true);
      assertEquals(1, hub.peers().size());
      assertEquals(1, hub.peers().get(0).streams().size());
    }
  }
}
