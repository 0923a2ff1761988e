package dev.weft.it.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.it.netns.NatTopology;
import dev.weft.it.netns.NetnsAvailability;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
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
  private static final String MARKER = "WEFT-NAT-PLAINTEXT-PATTERN-";
  private static final Duration WAIT = Duration.ofSeconds(60);
  /** For each connection, sends as many bytes of the pattern (MARKER repeated) as its first line asks, then half-closes. */
  private static final String SERVER = String.join("\n",
      "import socket, sys",
      "block = (b'" + MARKER + "' * 40)[:1024] * 1024",
      "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
      "s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(); print('listening', flush=True)",
      "while True:",
      "    c, _ = s.accept()",
      "    n = int(c.makefile('rb').readline())",
      "    for _ in range(n // len(block)): c.sendall(block)",
      "    c.shutdown(socket.SHUT_WR); c.recv(1); c.close()");
  /** Asks a port for that many bytes, reads them all and prints how many came and their SHA-256. */
  private static final String CLIENT = String.join("\n",
      "import socket, sys, hashlib",
      "c = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=60)",
      "c.sendall(sys.argv[2].encode() + b'\\n')",
      "h = hashlib.sha256(); n = 0",
      "while True:",
      "    d = c.recv(1 << 16)",
      "    if not d: break",
      "    h.update(d); n += len(d)",
      "print(n, h.hexdigest())");

  @TempDir
  Path dir;

  @BeforeEach
  void needsNamespacesAndNat() throws IOException {
    NetnsAvailability.assumeAvailable();
    Optional<String> missing = NatTopology.missingTools();
    Assumptions.assumeTrue(missing.isEmpty(), () -> "NAT tests skipped: " + missing.orElseThrow());
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
      awaitLimit(r, "relay reservations", 2);
      // Each learns the address the relay sees it at: its NAT's public side, not its own address.
      assertTrue(awaitStatus(a, "observed   " + NatTopology.NAT1 + ":").contains("by relay " + r.identity.substring(0, 8)));
      assertFalse(a.cli("status").contains(NatTopology.A + ":"));
      awaitStatus(b, "observed   " + NatTopology.NAT2 + ":");

      AssertionError direct = assertThrows(AssertionError.class,
          () -> a.cli("link", b.identity, "tcp:" + NatTopology.B + ":" + WEFT_PORT));
      assertTrue(direct.getMessage().contains("failed in"), direct.getMessage()); // no route to b's network
      a.cli("link", b.identity, throughR);
      String streams = a.cli("streams");
      assertTrue(streams.contains("relay"), streams);
      AssertionError full = assertThrows(AssertionError.class, () -> a.cli("link", b.identity, throughR));
      assertTrue(full.getMessage().contains("too many relayed streams") && full.getMessage().contains("STREAMS_FULL"),
          full.getMessage());

      started(net.b().start("python3", "-c", SERVER, String.valueOf(SERVICE_PORT)), "listening");
      b.cli("expose", "data", "--to", "127.0.0.1:" + SERVICE_PORT, "--allow", a.identity);
      a.cli("forward", "127.0.0.1:" + FORWARD_PORT, b.identity, "data");
      Path pcap = dir.resolve("relay.pcap");
      Process capture = net.publicHost().start("tcpdump", "-i", "br0", "-n", "-U", "-B", "16384", "-w",
          pcap.toString(), "src", "host", NatTopology.PUBLIC, "and", "tcp");
      started(capture, "listening on br0");
      String received = fetch(net, BYTES);
      capture.destroy();
      capture.waitFor(10, TimeUnit.SECONDS);
      assertEquals(BYTES + " " + expectedSha256(BYTES), received);
      long captured = Files.size(pcap);
      assertTrue(captured > BYTES / 2, "the capture on the relay holds the transfer (" + captured + " bytes)");
      assertFalse(contains(pcap, MARKER.getBytes(StandardCharsets.US_ASCII)), "the relay saw plaintext");

      r.kill();
      r.start();
      awaitLimit(r, "relay reservations", 2);
      // The forward links b again from its known endpoint, the relayed one, once the relayed stream
      // through the old relay process is gone (its carrier session waits out the failover grace).
      String expected = AFTER_RESTART + " " + expectedSha256(AFTER_RESTART);
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
    return net.a().run(WAIT, "python3", "-c", CLIENT, String.valueOf(FORWARD_PORT), String.valueOf(bytes)).output();
  }

  /** Waits until {@code node}'s status shows {@code used} for the limit named {@code name}. */
  private static void awaitLimit(NetnsNode node, String name, int used) throws Exception {
    Pattern wanted = Pattern.compile("\"name\"\\s*:\\s*\"" + name + "\"\\s*,\\s*\"used\"\\s*:\\s*" + used + "\\b");
    long deadline = System.nanoTime() + WAIT.toNanos();
    String status = "";
    while (System.nanoTime() < deadline) {
      status = node.cli("status", "--json");
      if (wanted.matcher(status).find()) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    throw new AssertionError(name + " did not reach " + used + " within " + WAIT + ": " + status);
  }

  /** Waits until {@code node}'s status shows {@code wanted}; returns that status. */
  private static String awaitStatus(NetnsNode node, String wanted) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    String status = node.cli("status");
    while (!status.contains(wanted) && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(200);
      status = node.cli("status");
    }
    assertTrue(status.contains(wanted), status);
    return status;
  }

  /** Waits for a line of {@code process}'s output that starts with {@code ready}. */
  private static void started(Process process, String ready) throws Exception {
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line = CompletableFuture.supplyAsync(() -> {
      try {
        for (String l; (l = out.readLine()) != null; ) {
          if (l.contains(ready)) {
            return l;
          }
        }
        return "exited";
      } catch (IOException e) {
        return e.toString();
      }
    }).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertTrue(line.contains(ready), line);
  }

  private static String expectedSha256(long bytes) throws Exception {
    byte[] block = MARKER.repeat(40).substring(0, 1024).getBytes(StandardCharsets.US_ASCII);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (long i = 0; i < bytes / block.length; i++) {
      sha.update(block);
    }
    return HexFormat.of().formatHex(sha.digest());
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
