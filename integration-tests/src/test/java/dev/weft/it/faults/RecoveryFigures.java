package dev.weft.it.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.node.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Recovery figures of silent paths over repeated trials, for docs/benchmarks.md: how long a paced,
 * checked transfer stands still when the stream carrying it is blackholed while a second stream
 * lives, and, when its host moves to a new address, how long from the new address to the session
 * resumed. Runs only with {@code -Precovery} ({@code weft.recovery.trials} trials each, 20 by
 * default); prints p50, p99 and max.
 */
@Timeout(3600)
class RecoveryFigures extends Namespaced {
  private static final long PROGRESS = 256 * 1024;
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int TRIALS = Integer.getInteger("weft.recovery.trials", 20);

  @Test
  void blackholedStream() throws Exception {
    List<Long> gaps = new ArrayList<>();
    try (Hosts hosts = Hosts.start(dir)) {
      Transfer transfer = hosts.transfer();
      transfer.progresses(PROGRESS, WAIT, "at the start");
      for (int i = 0; i < TRIALS; i++) {
        Carrier carrier = Carrier.of(hosts.left);
        String remote = carrier.remoteHost();
        try (Blackhole hole = carrier.blackhole(hosts)) {
          transfer.gapsFrom();
          transfer.progresses(PROGRESS, WAIT, "in trial " + i + " with " + remote + " blackholed");
          gaps.add(transfer.longestGap().toMillis());
        }
        System.out.println("recovery trial " + i + ": blackholed " + remote + ", standstill " + gaps.get(i) + " ms");
        bothStreamsLive(hosts);
      }
      String verdict = transfer.finish(WAIT);
      assertTrue(verdict.startsWith("ok "), verdict);
    }
    report("blackholed stream, longest standstill of the transfer (ms)", gaps);
  }

  @Test
  void roamingHost() throws Exception {
    List<Long> resumed = new ArrayList<>();
    List<Long> gaps = new ArrayList<>();
    try (Hosts hosts = Hosts.overTheWire(dir)) {
      Transfer transfer = hosts.transfer();
      transfer.progresses(PROGRESS, WAIT, "at the start");
      String address = hosts.pair.left().address();
      for (int i = 0; i < TRIALS; i++) {
        String next = "198.18.0." + (10 + i);
        hosts.pair.moveLeft(address, next);
        String from = address;
        address = next;
        long usable = System.nanoTime();
        transfer.gapsFrom();
        hosts.awaitEvent(e -> e.contains("\"failover\""), WAIT, "trial " + i + ": resumed from " + next);
        resumed.add((System.nanoTime() - usable) / 1_000_000);
        transfer.progresses(PROGRESS, WAIT, "in trial " + i + " from " + next);
        gaps.add(transfer.longestGap().toMillis());
        System.out.println("recovery trial " + i + ": moved to " + next + ", resumed " + resumed.get(i)
            + " ms, standstill " + gaps.get(i) + " ms");
        oldStreamClosed(hosts, from);
      }
      String verdict = transfer.finish(WAIT);
      assertTrue(verdict.startsWith("ok "), verdict);
    }
    report("roaming host, new address to the session resumed (ms)", resumed);
    report("roaming host, longest standstill of the transfer (ms)", gaps);
  }

  /** Waits for the blackholed stream to answer again (or links its transport anew if it closed). */
  private static void bothStreamsLive(Hosts hosts) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      Set<String> listed = new HashSet<>();
      Set<String> live = new HashSet<>();
      for (JsonNode s : Json.mapper().readTree(hosts.left.cli("streams", "--json"))) {
        listed.add(s.get("transport").asText());
        if (s.get("state").asText().equals("live")) {
          live.add(s.get("transport").asText());
        }
      }
      if (live.containsAll(List.of("tcp", "kcp"))) {
        return;
      }
      if (!listed.contains("tcp")) {
        hosts.linkTcp();
      }
      if (!listed.contains("kcp")) {
        hosts.linkKcp();
      }
      assertTrue(System.nanoTime() < deadline, "both streams live again; listed " + listed + ", live " + live);
      Thread.sleep(200); // polls the node's listing under the deadline above
    }
  }

  /**
   * Waits for the stream from the old address {@code from} to close (ping timeout), so that each
   * trial starts as the first, not with a pile of dead streams counting against the stream limit.
   */
  private static void oldStreamClosed(Hosts hosts, String from) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (hosts.left.cli("streams", "--json").contains("\"" + from + ":")) {
      assertTrue(System.nanoTime() < deadline, "the stream from " + from + " closes");
      Thread.sleep(500); // polls the node's listing under the deadline above
    }
  }

  private static void report(String what, List<Long> millis) {
    List<Long> sorted = millis.stream().sorted().toList();
    System.out.printf(Locale.ROOT, "recovery: %s over %d trials: p50 %d, p99 %d, max %d%n", what, sorted.size(),
        sorted.get((sorted.size() - 1) / 2), sorted.get((int) Math.ceil(0.99 * sorted.size()) - 1),
        sorted.get(sorted.size() - 1));
  }
}
