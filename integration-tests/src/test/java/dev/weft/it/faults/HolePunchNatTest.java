package dev.weft.it.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.it.netns.NatTopology;
import dev.weft.it.netns.NetnsAvailability;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hole punching between two nodes behind two NATs (namespaces, nftables; docs/nat.md): with
 * cone-like NATs a transfer that began on the relayed stream finishes on a punched direct KCP
 * stream, intact, and the relayed stream closes; with symmetric NATs the punch fails with a reason
 * and the transfer stays on the relay.
 */
@Timeout(120)
class HolePunchNatTest {
  private static final int WEFT_PORT = 7411;
  private static final int SERVICE_PORT = 7000;
  private static final int FORWARD_PORT = 7100;
  /** Paced so that the transfer outlasts the punch: 16 MiB at 4 MiB/s. */
  private static final long BYTES = 16L << 20;
  private static final long RATE = 4L << 20;
  private static final Duration PUNCH = Duration.ofSeconds(30);
  private static final Pattern SESSION_STREAM = Pattern.compile("\"service\"\\s*:\\s*\"data\",[^}]*?\"stream\"\\s*:\\s*\"(\\w+)\"");

  private static final Pattern MOVED = Pattern.compile("\"migrations\"\\s*:\\s*[1-9]");

  @TempDir
  Path dir;

  @BeforeEach
  void needsNamespacesAndNat() throws IOException {
    NetnsAvailability.assumeAvailable();
    Optional<String> missing = NatTopology.missingTools();
    Assumptions.assumeTrue(missing.isEmpty(), () -> "NAT tests skipped: " + missing.orElseThrow());
  }

  /** r relays; b (KCP listener) and a (TCP only) reserve there; b serves the pattern, a forwards to it. */
  private NetnsNode[] nodes(NatTopology net) throws Exception {
    NetnsNode r = new NetnsNode(net.publicHost(), dir.resolve("r"), "tcp:" + NatTopology.PUBLIC + ":" + WEFT_PORT)
        .withOptions("--relay").start();
    String reserve = r.identity + "@tcp:" + NatTopology.PUBLIC + ":" + WEFT_PORT;
    NetnsNode b = new NetnsNode(net.b(), dir.resolve("b"), "tcp:0.0.0.0:" + WEFT_PORT, "kcp:0.0.0.0:" + WEFT_PORT)
        .withOptions("--reserve", reserve).start();
    NetnsNode a = new NetnsNode(net.a(), dir.resolve("a"), "tcp:0.0.0.0:" + WEFT_PORT)
        .withOptions("--reserve", reserve).start();
    r.awaitLimit("relay reservations", 2);
    PatternService.serve(net.b(), SERVICE_PORT, RATE);
    b.cli("expose", "data", "--to", "127.0.0.1:" + SERVICE_PORT, "--allow", a.identity);
    a.cli("forward", "127.0.0.1:" + FORWARD_PORT, b.identity, "data");
    return new NetnsNode[] {r, a, b};
  }

  private static CompletableFuture<String> fetchInBackground(NatTopology net) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return PatternService.fetch(net.a(), FORWARD_PORT, BYTES);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /** The stream a's session to "data" is on, once there is one. */
  private static String sessionStream(NetnsNode a) throws Exception {
    Matcher m = SESSION_STREAM.matcher(a.awaitCli(s -> SESSION_STREAM.matcher(s).find(), "sessions", "--json"));
    assertTrue(m.find());
    return m.group(1);
  }

  private static String streamOf(NetnsNode a, String transport) throws Exception {
    Pattern stream = Pattern.compile("\"id\"\\s*:\\s*\"(\\w+)\",[^}]*?\"transport\"\\s*:\\s*\"" + transport + "\"");
    Matcher m = stream.matcher(a.awaitCli(s -> stream.matcher(s).find(), "streams", "--json"));
    assertTrue(m.find());
    return m.group(1);
  }

  @Test
  void withConeNatsALiveTransferMovesFromTheRelayToAPunchedDirectStreamIntact() throws Exception {
    try (NatTopology net = NatTopology.create(NatTopology.Mapping.CONE)) {
      NetnsNode[] nodes = nodes(net);
      NetnsNode a = nodes[1];
      NetnsNode b = nodes[2];
      // No punch can succeed until the transfer runs on the relayed stream.
      net.cutUdpBetweenHosts(true);
      try (EventLog events = EventLog.follow(a)) {
        a.cli("link", b.identity, "relay:" + nodes[0].identity + "@tcp:" + NatTopology.PUBLIC + ":" + WEFT_PORT);
        String relayed = streamOf(a, "relay");
        assertTrue(events.await("hole-punch-started", PUNCH).contains("\"role\":\"initiator\""));
        CompletableFuture<String> transfer = fetchInBackground(net);
        assertEquals(relayed, sessionStream(a), "the transfer begins on the relayed stream");

        net.cutUdpBetweenHosts(false);
        long opened = System.nanoTime();
        String succeeded = events.await("hole-punch-succeeded", PUNCH);
        assertTrue(succeeded.contains("\"dialled\":true"), succeeded);
        String moved = events.await("sessions-moved-direct", PUNCH);
        String direct = streamOf(a, "kcp");
        assertTrue(moved.contains("\"from\":\"" + relayed + "\"") && moved.contains("\"to\":\"" + direct + "\""), moved);
        assertFalse(transfer.isDone(), "the transfer is still running as it moves");
        assertEquals(direct, sessionStream(a), "weft sessions shows the session on the direct stream");
        a.awaitCli(s -> MOVED.matcher(s).find(), "sessions", "--json"); // and that it moved
        System.out.printf("direct stream %d ms after UDP was let through%n",
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - opened));

        assertEquals(PatternService.intact(BYTES), transfer.get(PatternService.WAIT.toSeconds(), TimeUnit.SECONDS));
        assertFalse(a.awaitCli(s -> !s.contains("relay"), "streams").contains("relay"), "the relayed stream closed");
      }
    }
  }

  @Test
  void withSymmetricNatsThePunchFailsWithAReasonAndTrafficStaysOnTheRelay() throws Exception {
    try (NatTopology net = NatTopology.create(NatTopology.Mapping.SYMMETRIC)) {
      NetnsNode[] nodes = nodes(net);
      NetnsNode a = nodes[1];
      try (EventLog events = EventLog.follow(a)) {
        a.cli("link", nodes[2].identity, "relay:" + nodes[0].identity + "@tcp:" + NatTopology.PUBLIC + ":" + WEFT_PORT);
        CompletableFuture<String> transfer = fetchInBackground(net);
        String failed = events.await("hole-punch-failed", PUNCH);
        assertTrue(failed.contains("no direct path after 3 attempts"), failed);
        assertTrue(failed.contains("\"retrySeconds\":30"), failed);
        assertEquals(PatternService.intact(BYTES), transfer.get(PatternService.WAIT.toSeconds(), TimeUnit.SECONDS));
        String streams = a.cli("streams");
        assertTrue(streams.contains("relay") && !streams.contains("kcp"), streams);
      }
    }
  }
}
