package dev.weft.it.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.it.netns.NatTopology;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
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
  /** Paced so that the transfer outlasts the punch and a loaded machine's CLI calls: 32 MiB at 4 MiB/s. */
  private static final long BYTES = 32L << 20;
  private static final long RATE = 4L << 20;
  private static final Duration PUNCH = Duration.ofSeconds(30);
  private static final Pattern MOVED = Pattern.compile("\"migrations\"\\s*:\\s*[1-9]");

  @TempDir
  Path dir;

  @BeforeEach
  void needsNamespacesAndNat() throws IOException {
    NatTopology.assumeUsable();
  }

  @Test
  void withConeNatsALiveTransferMovesFromTheRelayToAPunchedDirectStreamIntact() throws Exception {
    try (NatTopology net = NatTopology.create(NatTopology.Mapping.CONE)) {
      NatNodes nodes = NatNodes.start(net, dir, RATE);
      // No punch can succeed until the transfer runs on the relayed stream.
      net.cutUdpBetweenHosts(true);
      try (EventLog events = EventLog.follow(nodes.a)) {
        String relayed = nodes.linkThroughRelay();
        assertTrue(events.await("hole-punch-started", PUNCH).contains("\"role\":\"initiator\""));
        CompletableFuture<String> transfer = nodes.fetchInBackground(BYTES);
        assertEquals(relayed, nodes.sessionStream(), "the transfer begins on the relayed stream");

        net.cutUdpBetweenHosts(false);
        String succeeded = events.await("hole-punch-succeeded", PUNCH);
        assertTrue(succeeded.contains("\"dialled\":true"), succeeded);
        String moved = events.await("sessions-moved-direct", PUNCH);
        String direct = nodes.streamOf("kcp");
        assertTrue(moved.contains("\"from\":\"" + relayed + "\"") && moved.contains("\"to\":\"" + direct + "\""), moved);
        assertFalse(transfer.isDone(), "the transfer is still running as it moves");
        assertEquals(direct, nodes.sessionStream(), "weft sessions shows the session on the direct stream");
        nodes.a.awaitCli(s -> MOVED.matcher(s).find(), "sessions", "--json"); // and that it moved

        assertEquals(PatternService.intact(BYTES), transfer.get(PatternService.WAIT.toSeconds(), TimeUnit.SECONDS));
        nodes.a.awaitCli(s -> !s.contains("relay"), "streams"); // the relayed stream closed
      }
    }
  }

  @Test
  void withSymmetricNatsThePunchFailsWithAReasonAndTrafficStaysOnTheRelay() throws Exception {
    try (NatTopology net = NatTopology.create(NatTopology.Mapping.SYMMETRIC)) {
      NatNodes nodes = NatNodes.start(net, dir, RATE);
      try (EventLog events = EventLog.follow(nodes.a)) {
        String relayed = nodes.linkThroughRelay();
        CompletableFuture<String> transfer = nodes.fetchInBackground(BYTES);
        assertEquals(relayed, nodes.sessionStream(), "the transfer runs on the relayed stream");
        String failed = events.await("hole-punch-failed", PUNCH);
        assertTrue(failed.contains("no direct path after 3 attempts"), failed);
        assertTrue(failed.contains("\"retrySeconds\":30"), failed);
        assertEquals(PatternService.intact(BYTES), transfer.get(PatternService.WAIT.toSeconds(), TimeUnit.SECONDS));
        String streams = nodes.a.cli("streams");
        assertTrue(streams.contains("relay") && !streams.contains("kcp"), streams);
      }
    }
  }
}
