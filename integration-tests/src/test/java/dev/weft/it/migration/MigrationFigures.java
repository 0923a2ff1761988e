package dev.weft.it.migration;

import static dev.weft.it.migration.NodePair.await;

import dev.weft.link.Stream;
import dev.weft.link.StreamId;
import dev.weft.link.Transport;
import dev.weft.node.Event;
import dev.weft.node.admin.StreamInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;

/**
 * Measures, over real loopback links between two nodes in one JVM: the migration pause (how long
 * the initiator holds a session's writes) while other sessions keep both streams busy, and the
 * failover time after a TCP stream is reset abruptly while a KCP stream lives. Run it with
 * {@code bench/migration [migrations] [failovers] [sessions] [KiB/s]}; it prints one line per
 * figure.
 */
public final class MigrationFigures {
  private MigrationFigures() {}

  public static void main(String[] args) throws Exception {
    int migrations = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int failovers = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int flows = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    long rate = (args.length > 3 ? Long.parseLong(args[3]) : 1024) * 1024;
    Path dir = Files.createTempDirectory("weft-migration-figures");
    try (NodePair pair = NodePair.start(dir, NodePair.MUX, rate)) {
      pair.link(Transport.TCP);
      pair.link(Transport.KCP);
      List<FlowEnd> load = new ArrayList<>();
      for (int i = 0; i < flows; i++) {
        load.add(pair.open());
      }
      System.out.printf(Locale.ROOT, "load: %d sessions, each end sending %d KiB/s, on TCP and KCP%n",
          flows, rate / 1024);
      pause(pair, migrations);
      failover(pair, failovers, load);
      pair.finish(load);
      System.out.println("load sessions finished: every byte checked both ways");
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * Migrates one loaded session back and forth between a TCP and a KCP stream; the pause is what
   * its initiator reports. A stream that dies meanwhile (a starved machine) is linked again and
   * the failed migration counted.
   */
  private static void pause(NodePair pair, int count) throws Exception {
    FlowEnd probe = pair.open();
    String session = probe.session.id().toString();
    List<Long> pauses = new ArrayList<>();
    int failed = 0;
    for (int i = 0; i < count; i++) {
      StreamInfo tcp = live(pair, Transport.TCP);
      StreamInfo kcp = live(pair, Transport.KCP);
      StreamInfo target = probe.session.streamId() == StreamId.parse(tcp.id()).value() ? kcp : tcp;
      try {
        await(pair.adminA.migrate(session, target.id()));
        pauses.add(pair.next(Event.MigrationDone.class, e -> e.session().equals(session)).pauseMicros());
      } catch (ExecutionException e) {
        failed++;
      }
      await(probe.advanced(4096));
    }
    report("migration pause, TCP<->KCP under load (" + count + " migrations, " + failed + " failed)",
        pauses, "us");
    pair.finish(List.of(probe));
  }

  /** A live stream over {@code transport}, linked now if there is none. */
  private static StreamInfo live(NodePair pair, Transport transport) throws Exception {
    String scheme = transport.scheme();
    for (StreamInfo s : pair.adminA.streams()) {
      if (s.transport().equals(scheme)) {
        return s;
      }
    }
    String id = pair.link(transport).id().toString();
    return pair.adminA.streams().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
  }

  /**
   * Resets the TCP path under load; each session reports the time from noticing the loss to
   * resuming on KCP, and the wall time runs from the reset to the last session resumed.
   */
  private static void failover(NodePair pair, int trials, List<FlowEnd> load) throws Exception {
    List<Long> resumes = new ArrayList<>();
    List<Long> walls = new ArrayList<>();
    for (int t = 0; t < trials; t++) {
      live(pair, Transport.KCP);
      Stream tcp = pair.link(Transport.TCP);
      for (FlowEnd flow : load) {
        if (flow.session.streamId() != tcp.id().value()) {
          await(pair.adminA.migrate(flow.session.id().toString(), tcp.id().toString())
              .exceptionally(e -> null)); // a stream died meanwhile: that session sits this one out
        }
        await(flow.advanced(4096));
      }
      List<String> onTcp = load.stream().filter(f -> f.session.streamId() == tcp.id().value())
          .map(f -> f.session.id().toString()).toList();
      String lost = tcp.id().toString();
      long reset = System.nanoTime();
      pair.tcp.reset();
      for (String id : onTcp) {
        resumes.add(pair.next(Event.FailoverDone.class, e -> e.session().equals(id) && lost.equals(e.from())).millis());
      }
      walls.add((System.nanoTime() - reset) / 1_000_000);
      for (FlowEnd flow : load) {
        await(flow.advanced(4096));
      }
    }
    report("failover, loss noticed to resumed (" + trials + " resets x " + load.size() + " sessions)", resumes, "ms");
    report("failover, TCP reset to last session resumed (" + trials + " resets)", walls, "ms");
  }

  private static void report(String what, List<Long> values, String unit) {
    List<Long> sorted = values.stream().sorted().toList();
    System.out.printf(Locale.ROOT, "%s: p50 %d %s, p99 %d %s, max %d %s%n", what,
        percentile(sorted, 50), unit, percentile(sorted, 99), unit, sorted.get(sorted.size() - 1), unit);
  }

  private static long percentile(List<Long> sorted, int p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }
}
