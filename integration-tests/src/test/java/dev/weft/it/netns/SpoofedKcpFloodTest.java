package dev.weft.it.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A KCP listener under a flood of datagrams with forged source addresses (docs/protocol.md §2.3):
 * the left host sends raw IPv4 datagrams from addresses of its subnet, a quarter of them from its
 * own (the real peer's) address, each shaped like a dialer's first KCP datagram. The flood puts the
 * listener under load, so every new source must show a cookie, which only a source that receives
 * at its address can. Meanwhile the real peer links from the left host.
 */
@Timeout(180)
class SpoofedKcpFloodTest {
  private static final Duration LIMIT = Duration.ofSeconds(10);
  private static final int FLOOD_SECONDS = 12;
  private static final int FLOOD_RATE = 1000;
  private static final long LINK_BOUND_MILLIS = 10_000;

  @Test
  void aRealPeerLinksThroughASpoofedFloodThatCostsNoHandshakes() throws Exception {
    NetnsAvailability.assumeAvailable();
    try (NamespacePair pair = NamespacePair.create()) {
      Namespace left = pair.left();
      Namespace right = pair.right();
      // Let forged sources in (no reverse-path filter) and send their cookie replies back over the
      // wire, where the left host drops them as not its own: they cannot be received.
      right.run(LIMIT, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.wire0.rp_filter=0");
      right.run(LIMIT, "ip", "route", "add", "198.18.0.0/24", "dev", Namespace.DEVICE);

      Process listener = right.startJava(CookieListener.class, right.address());
      BufferedReader fromListener = reader(listener);
      PrintStream toListener = new PrintStream(listener.getOutputStream(), true, StandardCharsets.UTF_8);
      String[] ready = line(fromListener, "ready").split(" ");
      String endpoint = "kcp:" + right.address() + ":" + ready[2];

      Process flood = left.start("python3", script(), right.address(), ready[2], String.valueOf(FLOOD_SECONDS),
          String.valueOf(FLOOD_RATE), left.address());
      long[] before = awaitFlood(toListener, fromListener);

      Process dialer = left.startJava(CookieDialer.class, endpoint, ready[1]);
      String linked = line(reader(dialer), "linked");
      long[] after = stats(toListener, fromListener);

      String report = line(reader(flood), "");
      assertTrue(report.matches("\\d+ \\d+"), "the flood failed: " + report);
      String[] sent = report.split(" ");
      long floodPackets = Long.parseLong(sent[0]);
      long floodBytes = Long.parseLong(sent[1]);
      long[] total = stats(toListener, fromListener);

      long millis = Long.parseLong(linked.split(" ")[1]);
      assertTrue(millis < LINK_BOUND_MILLIS, "the real peer linked only after " + millis + " ms");
      assertEquals(1, after[LINKS] - before[LINKS], "the real peer's link: " + Arrays.toString(after));
      assertEquals(1, after[STARTED] - before[STARTED],
          "under the flood only the real peer's attempt cost a handshake: " + Arrays.toString(before) + " -> "
              + Arrays.toString(after));
      assertEquals(1, after[VERIFIED] - before[VERIFIED], "and it came in with a cookie");
      assertTrue(total[UNVERIFIED] >= floodPackets / 2,
          "the flood reached the listener: " + total[UNVERIFIED] + " of " + floodPackets + " datagrams");
      assertTrue(total[REPLY_BYTES] <= total[ANSWERED_BYTES] && total[REPLY_BYTES] <= floodBytes,
          "cookie replies " + total[REPLY_BYTES] + " bytes for " + total[ANSWERED_BYTES] + " answered, flood "
              + floodBytes);
      System.out.printf("spoofed flood: %d datagrams, %d bytes; %d replies, %d bytes; %d conversations started"
          + " (%d before the flood was detected); real peer linked in %d ms%n", floodPackets, floodBytes,
          total[REPLIES], total[REPLY_BYTES], total[STARTED], before[STARTED], millis);
    }
  }

  private static final int STARTED = 0;
  private static final int VERIFIED = 1;
  private static final int UNVERIFIED = 2;
  private static final int REPLIES = 3;
  private static final int REPLY_BYTES = 4;
  private static final int ANSWERED_BYTES = 5;
  private static final int LINKS = 6;

  /** Stats once the listener has answered part of the flood with cookies (it is under load). */
  private static long[] awaitFlood(PrintStream to, BufferedReader from) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(FLOOD_SECONDS / 2);
    while (true) {
      long[] stats = stats(to, from);
      if (stats[REPLIES] > FLOOD_RATE / 4) {
        return stats;
      }
      assertTrue(System.nanoTime() < deadline, "the flood never put the listener under load");
      Thread.sleep(200);
    }
  }

  private static long[] stats(PrintStream to, BufferedReader from) throws Exception {
    to.println("stats");
    return Arrays.stream(line(from, "stats").split(" ")).skip(1).mapToLong(Long::parseLong).toArray();
  }

  /** The next line starting with {@code prefix}, within 60 s (JVMs start slowly on a busy machine). */
  private static String line(BufferedReader in, String prefix) throws Exception {
    String line = CompletableFuture.supplyAsync(() -> {
      try {
        for (String next; (next = in.readLine()) != null; ) {
          if (next.startsWith(prefix)) {
            return next;
          }
        }
        return null;
      } catch (IOException e) {
        return null;
      }
    }).get(60, TimeUnit.SECONDS);
    assertNotNull(line, "the program ended without a line starting with \"" + prefix + "\"");
    return line;
  }

  private static BufferedReader reader(Process process) {
    return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  private static String script() throws Exception {
    return Path.of(SpoofedKcpFloodTest.class.getResource("spoof_flood.py").toURI()).toString();
  }
}
