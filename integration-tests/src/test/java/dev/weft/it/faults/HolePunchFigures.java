package dev.weft.it.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.it.netns.NatTopology;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hole-punching figures for docs/benchmarks.md, in {@link NatNodes}' namespaces with cone NATs:
 * the time from the relayed stream's handshake to the punched direct stream's (a's event
 * timestamps), over {@code weft.punch.trials} trials (5 by default), and a transfer's throughput
 * through the relay and then direct. Runs only with {@code -Ppunch}.
 */
@Timeout(1800)
class HolePunchFigures {
  private static final int TRIALS = Integer.getInteger("weft.punch.trials", 5);
  private static final long BYTES = 64L << 20;
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Pattern AT = Pattern.compile("\"at\":\"([^\"]+)\"");
  private static final Pattern TO_B = Pattern.compile("\"id\"\\s*:\\s*\"(\\w+)\",[^}]*?\"transport\"\\s*:\\s*\"(kcp|relay)\"");

  @TempDir
  Path dir;

  @Test
  void timeToDirectAndThroughput() throws Exception {
    NatTopology.assumeUsable();
    try (NatTopology net = NatTopology.create(NatTopology.Mapping.CONE)) {
      NatNodes nodes = NatNodes.start(net, dir, 0);
      List<Long> millis = new ArrayList<>();
      try (EventLog events = EventLog.follow(nodes.a)) {
        // First the relayed throughput, with UDP between the NATs cut so that no punch succeeds yet.
        net.cutUdpBetweenHosts(true);
        nodes.linkThroughRelay();
        double relayed = throughput(nodes);
        net.cutUdpBetweenHosts(false);
        events.await("sessions-moved-direct", WAIT);
        double direct = throughput(nodes);
        // A direct stream that closed under the load leaves the transfer to fail over: say so.
        boolean stayed = nodes.a.cli("streams").contains("kcp");
        System.out.printf(Locale.ROOT, "punch: %d MiB through the relay %.1f MB/s, direct (punched KCP) %.1f MB/s%s%n",
            BYTES >> 20, relayed, direct, stayed ? "" : " (the direct stream closed during it)");
        for (int i = 0; i < TRIALS; i++) {
          unlinkAll(nodes);
          // b takes one punch from a peer per 10 s.
          TimeUnit.SECONDS.sleep(10);
          String relayedId = nodes.linkThroughRelay();
          Instant relayedUp = at(events.await("stream-opened", WAIT, "\"stream\":\"" + relayedId + "\""));
          Instant directUp = at(events.await("stream-opened", WAIT, "\"transport\":\"kcp\""));
          millis.add(Duration.between(relayedUp, directUp).toMillis());
          System.out.println("punch trial " + i + ": direct stream " + millis.get(i) + " ms after the relayed one");
        }
      }
      List<Long> sorted = millis.stream().sorted().toList();
      System.out.printf(Locale.ROOT, "punch: relayed stream to direct stream over %d trials: p50 %d ms, max %d ms%n",
          sorted.size(), sorted.get((sorted.size() - 1) / 2), sorted.get(sorted.size() - 1));
    }
  }

  /**
   * Closes a's streams to b, relayed and direct, until none is left (one may come up meanwhile:
   * a failover's relink, a punch retry).
   */
  private static void unlinkAll(NatNodes nodes) throws Exception {
    nodes.a.awaitCli(s -> {
      Matcher streams = TO_B.matcher(s);
      boolean found = false;
      while (streams.find()) {
        found = true;
        try {
          nodes.a.cli("unlink", streams.group(1));
        } catch (AssertionError | IOException closedMeanwhile) {
          // gone already
        }
      }
      return !found;
    }, "streams", "--json");
  }

  /** Fetches {@link #BYTES} through a's forward; MB/s (10^6 bytes). */
  private static double throughput(NatNodes nodes) throws Exception {
    long start = System.nanoTime();
    assertEquals(PatternService.intact(BYTES), nodes.fetchInBackground(BYTES).get(WAIT.toSeconds(), TimeUnit.SECONDS));
    return BYTES / ((System.nanoTime() - start) / 1e9) / 1e6;
  }

  private static Instant at(String event) {
    Matcher m = AT.matcher(event);
    m.find();
    return Instant.parse(m.group(1));
  }
}
