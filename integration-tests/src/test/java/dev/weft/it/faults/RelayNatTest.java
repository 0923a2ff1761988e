package dev.weft.it.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.it.netns.NatTopology;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two weft nodes behind two NATs (nftables masquerade, in namespaces) reach each other only through
 * a relay on a public host (docs/nat.md): they cannot link directly, they link through the relay,
 * a forwarded port carries 64 MiB intact, the relay's interface never shows the plaintext, its
 * limits refuse with reasons, each learns its NAT's public address from the relay, and after it
 * restarts both reserve again.
 */
@Timeout(180)
class RelayNatTest {
  private static final int WEFT_PORT = 7411;
  private static final int SERVICE_PORT = 7000;
  private static final int FORWARD_PORT = 7100;
  private static final long BYTES = 64L << 20;
  private static final long AFTER_RESTART = 4L << 20;
  private static final Duration WAIT = PatternService.WAIT;

  @TempDir
  Path dir;

  @BeforeEach
  void needsNamespacesAndNat() throws IOException {
    NatTopology.assumeUsable();
  }

  @Test
  void peersBehindNatLinkThroughARelayThatNeverSeesPlaintext() throws Exception {
    try (NatTopology net = NatTopology.create()) {
      NetnsNode r = new NetnsNode(net.publicHost(), dir.resolve("r"), "tcp:" + NatTopology.PUBLIC + ":" + WEFT_PORT)
          .withOptions("--relay", "--relay-max-streams-per-peer", "1").start();
      String reserve = r.identity + "@tcp:" + NatTopology.PUBLIC + ":" + WEFT_PORT;
      String throughR = "relay:" + reserve;
      NetnsNode b = new NetnsNode(net.b(), dir.resolve("b"), "tcp:0.0.0.0:" + WEFT_PORT)
          .withOptions("--reserve", reserve).start();
      NetnsNode a = new NetnsNode(net.a(), dir.resolve("a"), "tcp:0.0.0.0:" + WEFT_PORT)
          .withOptions("--reserve", reserve).start();
      r.awaitLimit("relay reservations", 2);
      // Each learns the address the relay sees it at: its NAT's public side, not its own address.
      assertTrue(a.awaitStatus("observed   " + NatTopology.NAT1 + ":").contains("by relay " + r.identity.substring(0, 8)));
      assertFalse(a.cli("status").contains(NatTopology.A + ":"));
      b.awaitStatus("observed   " + NatTopology.NAT2 + ":");

      AssertionError direct = assertThrows(AssertionError.class,
          () -> a.cli("link", b.identity, "tcp:" + NatTopology.B + ":" + WEFT_PORT));
      assertTrue(direct.getMessage().contains("failed in"), direct.getMessage()); // no route to b's network
      a.cli("link", b.identity, throughR);
      String streams = a.cli("streams");
      assertTrue(streams.contains("relay"), streams);
      AssertionError full = assertThrows(AssertionError.class, () -> a.cli("link", b.identity, throughR));
      assertTrue(full.getMessage().contains("too many relayed streams") && full.getMessage().contains("STREAMS_FULL"),
          full.getMessage());

      PatternService.serve(net.b(), SERVICE_PORT, 0);
      b.cli("expose", "data", "--to", "127.0.0.1:" + SERVICE_PORT, "--allow", a.identity);
      a.cli("forward", "127.0.0.1:" + FORWARD_PORT, b.identity, "data");
      Path pcap = dir.resolve("relay.pcap");
      Process capture = net.publicHost().start("tcpdump", "-i", "br0", "-n", "-U", "-B", "16384", "-w",
          pcap.toString(), "src", "host", NatTopology.PUBLIC, "and", "tcp");
      PatternService.started(capture, "listening on br0");
      String received = fetch(net, BYTES);
      capture.destroy();
      capture.waitFor(10, TimeUnit.SECONDS);
      assertEquals(PatternService.intact(BYTES), received);
      long captured = Files.size(pcap);
      assertTrue(captured > BYTES / 2, "the capture on the relay holds the transfer (" + captured + " bytes)");
      assertFalse(contains(pcap, PatternService.MARKER.getBytes(StandardCharsets.US_ASCII)), "the relay saw plaintext");

      r.kill();
      r.start();
      r.awaitLimit("relay reservations", 2);
      // The forward links b again from its known endpoint, the relayed one, once the relayed stream
      // through the old relay process is gone (its carrier session waits out the failover grace).
      String expected = PatternService.intact(AFTER_RESTART);
      long deadline = System.nanoTime() + WAIT.toNanos();
      String got = fetch(net, AFTER_RESTART);
      while (!got.equals(expected) && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(500);
        got = fetch(net, AFTER_RESTART);
      }
      assertEquals(expected, got);
    }
  }

  /** Reads {@code bytes} from b's service through a's forward, inside a's namespace. */
  private static String fetch(NatTopology net, long bytes) throws IOException {
    return PatternService.fetch(net.a(), FORWARD_PORT, bytes);
  }

  /** Whether the file holds {@code needle}, read in chunks that overlap by its length. */
  private static boolean contains(Path file, byte[] needle) throws IOException {
    byte[] buffer = new byte[1 << 20];
    int kept = 0;
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer, kept, buffer.length - kept)) > 0; ) {
        int end = kept + n;
        for (int i = 0; i + needle.length <= end; i++) {
          if (buffer[i] == needle[0] && Arrays.equals(buffer, i, i + needle.length, needle, 0, needle.length)) {
            return true;
          }
        }
        kept = Math.min(needle.length - 1, end);
        System.arraycopy(buffer, end - kept, buffer, 0, kept);
      }
    }
    return false;
  }
}
