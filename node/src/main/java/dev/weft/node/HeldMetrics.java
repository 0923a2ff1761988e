package dev.weft.node;

import dev.weft.link.CookieStats;
import dev.weft.link.Linker;
import dev.weft.link.Stream;
import dev.weft.link.Transport;
import dev.weft.mux.StreamStats;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a node holds, read from its own state when scraped: per stream and per peer series exist
 * exactly while the stream or peer does (so the node's limits bound them), and nothing is counted
 * twice on the data path (the bytes are the link's own counters, RTT the mux's measurements).
 */
final class HeldMetrics implements MultiCollector {
  private final Node node;
  private final Linker linker;
  private final EventBus events;

  HeldMetrics(Node node, Linker linker, EventBus events) {
    this.node = node;
    this.linker = linker;
    this.events = events;
  }

  @Override
  public MetricSnapshots collect() {
    List<MetricSnapshot> out = new ArrayList<>();
    NodeStatus status = node.status();
    out.add(gauge("weft_node_info", "This node's identity and version (the value is always 1).")
        .dataPoint(gaugePoint(1, Labels.of("identity", status.identity().toString(),
            "version", status.version()))).build());
    out.add(gauge("weft_node_start_time_seconds", "When the node started, in seconds since the epoch.")
        .dataPoint(gaugePoint(status.started().toEpochMilli() / 1e3, Labels.EMPTY)).build());
    out.add(gauge("weft_peers", "Peers with at least one stream.")
        .dataPoint(gaugePoint(status.peers(), Labels.EMPTY)).build());
    out.add(gauge("weft_sessions", "Sessions open now (failing-over ones included).")
        .dataPoint(gaugePoint(status.sessions(), Labels.EMPTY)).build());
    limits(status, out);
    out.add(counter("weft_events_dropped", "Events a subscriber (event feed, embedder) was too slow to "
        + "take and missed, since the node started.")
        .dataPoint(counterPoint(events.droppedEver(), Labels.EMPTY)).build());
    out.add(gauge("weft_event_subscribers", "Event subscribers now (admin event feeds, embedders).")
        .dataPoint(gaugePoint(events.subscribers(), Labels.EMPTY)).build());
    out.add(count("weft_relay_refusals", "Requests this node, a relay, refused (reservations and relayed streams).",
        node.relayRefusals()));
    peersAndStreams(out);
    cookies(linker.cookieStats(), out);
    return new MetricSnapshots(out);
  }

  /** Each limit's usage and maximum, the limit named as in status with words joined by '_'. */
  private static void limits(NodeStatus status, List<MetricSnapshot> out) {
    GaugeSnapshot.Builder used = gauge("weft_limit_used",
        "Current usage of each resource limit (docs/security.md section 5).");
    GaugeSnapshot.Builder max = gauge("weft_limit_max", "Maximum of each resource limit.");
    for (LimitUsage limit : status.limits()) {
      Labels labels = Labels.of("limit", labelOf(limit.name()));
      used.dataPoint(gaugePoint(limit.used(), labels));
      max.dataPoint(gaugePoint(limit.limit(), labels));
    }
    out.add(used.build());
    out.add(max.build());
  }

  static String labelOf(String limitName) {
    return limitName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
  }

  private void peersAndStreams(List<MetricSnapshot> out) {
    CounterSnapshot.Builder peerIn = counter("weft_peer_received_bytes",
        "Bytes received from a peer on all its streams, closed ones included (link messages).");
    CounterSnapshot.Builder peerOut = counter("weft_peer_sent_bytes",
        "Bytes sent to a peer on all its streams, closed ones included (link messages).");
    GaugeSnapshot.Builder peerStreams = gauge("weft_peer_streams", "Streams to a peer.");
    GaugeSnapshot.Builder peerSessions = gauge("weft_peer_sessions", "Sessions with a peer.");
    CounterSnapshot.Builder streamIn = counter("weft_stream_received_bytes",
        "Bytes received on a stream since its handshake: encrypted messages with their framing.");
    CounterSnapshot.Builder streamOut = counter("weft_stream_sent_bytes",
        "Bytes sent on a stream since its handshake: encrypted messages with their framing.");
    GaugeSnapshot.Builder rtt = gauge("weft_stream_rtt_seconds",
        "Smoothed round-trip time of a stream's mux pings (absent until the first Pong).");
    GaugeSnapshot.Builder minRtt = gauge("weft_stream_min_rtt_seconds",
        "Lowest round-trip time seen on a stream (absent until the first Pong).");
    GaugeSnapshot.Builder loss = gauge("weft_stream_ping_loss_ratio",
        "Share of a stream's last 16 pings not answered within a ping interval.");
    GaugeSnapshot.Builder streamSessions = gauge("weft_stream_sessions", "Sessions sending on a stream.");
    int[] byTransport = new int[Transport.values().length];
    for (LinkedPeer peer : node.peers()) {
      String id = peer.identity().toString();
      Labels peerLabels = Labels.of("peer", id);
      List<Stream> streams = peer.streams();
      peerIn.dataPoint(counterPoint(peer.bytesIn(), peerLabels));
      peerOut.dataPoint(counterPoint(peer.bytesOut(), peerLabels));
      peerStreams.dataPoint(gaugePoint(streams.size(), peerLabels));
      peerSessions.dataPoint(gaugePoint(peer.sessionCount(), peerLabels));
      for (Stream stream : streams) {
        byTransport[stream.transport().ordinal()]++;
        Labels labels = Labels.of("peer", id, "stream", stream.id().toString(),
            "transport", stream.transport().scheme());
        streamIn.dataPoint(counterPoint(stream.bytesIn(), labels));
        streamOut.dataPoint(counterPoint(stream.bytesOut(), labels));
        Optional<StreamStats> stats = peer.stats(stream.id());
        if (stats.isEmpty()) {
          continue; // closing: the mux let go of it already
        }
        StreamStats s = stats.get();
        if (s.srtt() != null) {
          rtt.dataPoint(gaugePoint(seconds(s.srtt()), labels));
          minRtt.dataPoint(gaugePoint(seconds(s.minRtt()), labels));
        }
        loss.dataPoint(gaugePoint(s.loss(), labels));
        streamSessions.dataPoint(gaugePoint(s.sessions(), labels));
      }
    }
    GaugeSnapshot.Builder streams = gauge("weft_streams", "Streams now, by transport.");
    for (Transport transport : Transport.values()) {
      streams.dataPoint(gaugePoint(byTransport[transport.ordinal()],
          Labels.of("transport", transport.scheme())));
    }
    out.add(streams.build());
    for (MetricSnapshot.Builder<?> b : List.<MetricSnapshot.Builder<?>>of(peerIn, peerOut, peerStreams,
        peerSessions, streamIn, streamOut, rtt, minRtt, loss, streamSessions)) {
      out.add(b.build());
    }
  }

  private static void cookies(CookieStats c, List<MetricSnapshot> out) {
    out.add(count("weft_kcp_unverified_datagrams",
        "Datagrams from new sources that would start a KCP conversation without a cookie.", c.unverified()));
    out.add(count("weft_kcp_cookie_replies", "Cookie replies sent to new KCP sources.", c.replies()));
    out.add(count("weft_kcp_cookie_reply_bytes", "UDP payload bytes of the cookie replies.", c.replyBytes()));
    out.add(count("weft_kcp_cookie_answered_bytes",
        "UDP payload bytes of the datagrams that cookie replies answered.", c.answeredBytes()));
    out.add(count("weft_kcp_conversations_started",
        "KCP conversations let in (each then costs a handshake), with a cookie or without.", c.started()));
    out.add(count("weft_kcp_conversations_verified",
        "KCP conversations let in with a valid cookie.", c.verified()));
    out.add(count("weft_kcp_refused_datagrams",
        "Datagrams from new sources that started nothing and got no reply.", c.refused()));
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  private static CounterSnapshot count(String name, String help, long value) {
    return counter(name, help).dataPoint(counterPoint(value, Labels.EMPTY)).build();
  }

  private static CounterSnapshot.Builder counter(String name, String help) {
    return CounterSnapshot.builder().name(name).help(help);
  }

  private static GaugeSnapshot.Builder gauge(String name, String help) {
    return GaugeSnapshot.builder().name(name).help(help);
  }

  private static CounterDataPointSnapshot counterPoint(double value, Labels labels) {
    return CounterDataPointSnapshot.builder().value(value).labels(labels).build();
  }

  private static GaugeDataPointSnapshot gaugePoint(double value, Labels labels) {
    return GaugeDataPointSnapshot.builder().value(value).labels(labels).build();
  }
}
