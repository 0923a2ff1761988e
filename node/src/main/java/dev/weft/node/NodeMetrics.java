package dev.weft.node;

import dev.weft.link.HandshakeOutcome;
import dev.weft.mux.Direction;
import dev.weft.mux.Reason;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A node's metrics in the Prometheus client's registry (docs/metrics.md lists them). What happens
 * (handshakes, sessions opened and refused, migrations, failovers) is counted here as it happens,
 * on data points resolved once so that counting allocates nothing; what the node holds (streams,
 * peers, bytes, limits) is read from its own state at scrape time ({@link HeldMetrics}), so a
 * stream's or peer's series end with it. The JVM's and Netty's are process-wide
 * ({@link ProcessMetrics}) and scraped with every node's.
 */
public final class NodeMetrics {
  /** The content type of {@link #scrape()}: Prometheus text format 0.0.4. */
  public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

  /** Who asked for a migration: this node, or the peer (which pauses nothing here). */
  enum Side {
    REQUESTED, ANSWERED
  }

  private static final double[] PAUSE_BUCKETS = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  private static final double[] FAILOVER_BUCKETS = {
      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
  private final CounterDataPoint[][] handshakes;
  private final CounterDataPoint[] opened;
  private final CounterDataPoint[][] rejected;
  private final CounterDataPoint closed;
  private final CounterDataPoint reset;
  private final CounterDataPoint[] migrationsDone;
  private final CounterDataPoint[] migrationsFailed;
  private final DistributionDataPoint migrationPause;
  private final CounterDataPoint failoversStarted;
  private final CounterDataPoint failoversResumed;
  private final CounterDataPoint failoversLost;
  private final DistributionDataPoint failoverTime;
  private final CounterDataPoint punchesSucceeded;
  private final CounterDataPoint punchesFailed;

  NodeMetrics() {
    Counter handshakeCounter = counter("weft_handshakes",
        "Link handshakes by direction (inbound: accepted here; outbound: dialled) and outcome.",
        "direction", "outcome");
    handshakes = new CounterDataPoint[2][HandshakeOutcome.values().length];
    for (HandshakeOutcome outcome : HandshakeOutcome.values()) {
      handshakes[0][outcome.ordinal()] = handshakeCounter.labelValues("inbound", label(outcome));
      handshakes[1][outcome.ordinal()] = handshakeCounter.labelValues("outbound", label(outcome));
    }
    Counter openedCounter = counter("weft_sessions_opened",
        "Sessions opened, by who opened them (inbound: the peer).", "direction");
    opened = new CounterDataPoint[Direction.values().length];
    for (Direction direction : Direction.values()) {
      opened[direction.ordinal()] = openedCounter.labelValues(label(direction));
    }
    Counter rejectedCounter = counter("weft_sessions_rejected",
        "Sessions refused, by direction (inbound: this node refused the peer's) and reason.",
        "direction", "reason");
    rejected = new CounterDataPoint[Direction.values().length][Reason.values().length];
    for (Direction direction : Direction.values()) {
      for (Reason reason : Reason.values()) {
        rejected[direction.ordinal()][reason.ordinal()] =
            rejectedCounter.labelValues(label(direction), label(reason));
      }
    }
    Counter endedCounter = counter("weft_sessions_ended",
        "Sessions that ended: closed (both directions finished) or reset.", "how");
    closed = endedCounter.labelValues("closed");
    reset = endedCounter.labelValues("reset");
    Counter migrationCounter = counter("weft_migrations",
        "Live migrations by who asked (requested: this node) and outcome.", "side", "outcome");
    migrationsDone = new CounterDataPoint[Side.values().length];
    migrationsFailed = new CounterDataPoint[Side.values().length];
    for (Side side : Side.values()) {
      migrationsDone[side.ordinal()] = migrationCounter.labelValues(label(side), "done");
      migrationsFailed[side.ordinal()] = migrationCounter.labelValues(label(side), "failed");
    }
    migrationPause = histogram("weft_migration_pause_seconds",
        "How long this node held a session's writes during a migration it asked for.", PAUSE_BUCKETS);
    Counter failoverCounter = counter("weft_failovers",
        "Sessions whose stream died: started waiting, resumed on another stream, or lost (ended "
            + "before resuming).", "outcome");
    failoversStarted = failoverCounter.labelValues("started");
    failoversResumed = failoverCounter.labelValues("resumed");
    failoversLost = failoverCounter.labelValues("lost");
    failoverTime = histogram("weft_failover_seconds",
        "Time from a stream's loss to its session's resume on another stream.", FAILOVER_BUCKETS);
    Counter punchCounter = counter("weft_hole_punches",
        "Hole punches over relayed streams, either end, by outcome (succeeded: a direct stream is up).", "outcome");
    punchesSucceeded = punchCounter.labelValues("succeeded");
    punchesFailed = punchCounter.labelValues("failed");
  }

  private Counter counter(String name, String help, String... labels) {
    return Counter.builder().name(name).help(help).labelNames(labels).withoutExemplars()
        .register(registry);
  }

  private DistributionDataPoint histogram(String name, String help, double[] buckets) {
    return Histogram.builder().name(name).help(help).classicOnly().classicUpperBounds(buckets)
        .withoutExemplars().register(registry);
  }

  private static String label(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  /** The registry of this node's metrics, for an embedder to add its own. */
  public PrometheusRegistry registry() {
    return registry;
  }

  /** Every metric of this node and of the process, in Prometheus text format (UTF-8). */
  public byte[] scrape() {
    List<MetricSnapshot> all = new ArrayList<>();
    registry.scrape().forEach(all::add);
    ProcessMetrics.registry().scrape().forEach(all::add);
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      writer.write(out, new MetricSnapshots(all));
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
    }
    return out.toByteArray();
  }

  void handshake(boolean inbound, HandshakeOutcome outcome) {
    handshakes[inbound ? 0 : 1][outcome.ordinal()].inc();
  }

  void sessionOpened(Direction direction) {
    opened[direction.ordinal()].inc();
  }

  void sessionRejected(Direction direction, Reason reason) {
    rejected[direction.ordinal()][reason.ordinal()].inc();
  }

  void sessionEnded(boolean cleanly) {
    (cleanly ? closed : reset).inc();
  }

  void migrationDone(Side side, Duration pause) {
    migrationsDone[side.ordinal()].inc();
    if (side == Side.REQUESTED) {
      migrationPause.observe(pause.toNanos() / 1e9);
    }
  }

  void migrationFailed(Side side) {
    migrationsFailed[side.ordinal()].inc();
  }

  void failoverStarted() {
    failoversStarted.inc();
  }

  void failoverResumed(Duration took) {
    failoversResumed.inc();
    failoverTime.observe(took.toNanos() / 1e9);
  }

  void failoverLost() {
    failoversLost.inc();
  }

  void holePunch(boolean succeeded) {
    (succeeded ? punchesSucceeded : punchesFailed).inc();
  }
}
