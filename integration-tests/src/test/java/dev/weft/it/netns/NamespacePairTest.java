package dev.weft.it.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class NamespacePairTest {
  private static final int PORT = 7000;
  private static final Duration LIMIT = Duration.ofSeconds(10);

  @Test
  void carriesTcpBetweenTheHostsWithTheDelayAppliedAndRemovesEverythingOnClose() throws Exception {
    NetnsAvailability.assumeAvailable();
    Process echo;
    String left;
    String right;
    try (NamespacePair pair = NamespacePair.create()) {
      left = pair.left().name();
      right = pair.right().name();
      assertTrue(namespaces().contains(left) && namespaces().contains(right), namespaces());
      echo = startEcho(pair);

      assertEquals("hello", roundTrip(pair, Duration.ofSeconds(5)).output());

      pair.impair(Impairment.none().withDelay(Duration.ofMillis(25)));
      long start = System.nanoTime();
      Command.Result delayed = roundTrip(pair, Duration.ofSeconds(5));
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertEquals("hello", delayed.output());
      // Connecting takes one 50 ms round trip and the echoed line another.
      assertTrue(millis >= 100, "two round trips over a 25 ms + 25 ms wire took only " + millis + " ms");

      pair.impair(pair.left(), Impairment.none().withReorder(50).withDuplicate(50));
      assertEquals("hello", roundTrip(pair, Duration.ofSeconds(5)).output(), "TCP repairs reordering and duplicates");
    }
    assertFalse(echo.isAlive(), "programs started in the namespaces end with the pair");
    assertFalse(namespaces().contains(left) || namespaces().contains(right), namespaces());
  }

  @Test
  void lossAndLinkDownCutThePathAndClearingRestoresIt() throws Exception {
    NetnsAvailability.assumeAvailable();
    try (NamespacePair pair = NamespacePair.create()) {
      startEcho(pair);

      pair.impair(Impairment.none().withLoss(100));
      assertFalse(roundTrip(pair, Duration.ofSeconds(1)).ok(), "nothing crosses a wire that loses every packet");
      pair.clearImpairment();
      assertEquals("hello", roundTrip(pair, Duration.ofSeconds(5)).output());

      pair.linkDown();
      assertFalse(roundTrip(pair, Duration.ofSeconds(1)).ok(), "nothing crosses a wire that is down");
      pair.linkUp();
      assertEquals("hello", roundTrip(pair, Duration.ofSeconds(5)).output());
    }
  }

  @Test
  void impairmentsOutsideTheirRangeAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> Impairment.none().withLoss(101));
    assertThrows(IllegalArgumentException.class, () -> Impairment.none().withReorder(-1));
    assertThrows(IllegalArgumentException.class, () -> Impairment.none().withDelay(Duration.ofMillis(-1)));
    assertThrows(IllegalArgumentException.class, () -> Impairment.none().withLimit(0));
    assertEquals("delay=25.000 loss=1.5 reorder=0.0 duplicate=0.0 limit=1000",
        Impairment.none().withDelay(Duration.ofMillis(25)).withLoss(1.5).settings());
  }

  private static Process startEcho(NamespacePair pair) throws Exception {
    Process echo = pair.right().startJava(Echo.class, pair.right().address(), String.valueOf(PORT));
    BufferedReader out = new BufferedReader(new InputStreamReader(echo.getInputStream(), StandardCharsets.UTF_8));
    assertEquals("listening", CompletableFuture.supplyAsync(() -> {
      try {
        return out.readLine();
      } catch (IOException e) {
        return e.toString();
      }
    }).get(30, TimeUnit.SECONDS));
    return echo;
  }

  /** From the left host: connect to the right host's echo, send a line, read it back. */
  private static Command.Result roundTrip(NamespacePair pair, Duration limit) throws IOException {
    String script = "exec 3<>/dev/tcp/" + pair.right().address() + "/" + PORT
        + " && echo hello >&3 && read -r line <&3 && echo \"$line\"";
    return pair.left().run(LIMIT, "timeout", String.valueOf(limit.toSeconds()), "bash", "-c", script);
  }

  private static String namespaces() throws IOException {
    return Command.of("ip", "netns", "list").check(LIMIT);
  }
}
