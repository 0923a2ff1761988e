package dev.weft.node;

import dev.weft.identity.IdText;
import dev.weft.link.Stream;
import dev.weft.mux.Session;
import dev.weft.mux.StreamStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Takes the {@link Event.Traffic} samples, once a second, and publishes them while a subscriber
 * wants them. A stream's throughput is what its sessions moved since the previous sample, each
 * session counted on the stream it is on now. It keeps counting when nobody listens (one pass over
 * the open sessions), so the first sample a new subscriber gets is a true second's worth. Runs on
 * one thread; holds one entry per open session.
 */
final class TrafficSampler implements Runnable {
  static final Duration INTERVAL = Duration.ofSeconds(1);

  private record Counts(long in, long out) {
    static final Counts NONE = new Counts(0, 0);
  }

  private final Supplier<List<LinkedPeer>> peers;
  private final EventBus events;
  private Map<Long, Counts> previous = Map.of();
  private Instant previousAt;

  TrafficSampler(Supplier<List<LinkedPeer>> peers, EventBus events) {
    this.peers = peers;
    this.events = events;
  }

  @Override
  public void run() {
    Instant now = events.clock().instant();
    Map<Long, Counts> current = new HashMap<>();
    List<Event.Traffic.StreamRate> streams = new ArrayList<>();
    List<Event.Traffic.SessionBytes> sessions = new ArrayList<>();
    double seconds = previousAt == null ? 1
        : Math.max(1, Duration.between(previousAt, now).toMillis()) / 1000.0;
    for (LinkedPeer peer : peers.get()) {
      Map<Long, long[]> moved = new HashMap<>();
      for (Session s : peer.sessions()) {
        Counts counts = new Counts(s.bytesIn(), s.bytesOut());
        current.put(s.id().value(), counts);
        Counts before = previous.getOrDefault(s.id().value(), Counts.NONE);
        if (!before.equals(counts)) {
          long[] sum = moved.computeIfAbsent(s.streamId(), id -> new long[2]);
          sum[0] += counts.in() - before.in();
          sum[1] += counts.out() - before.out();
          sessions.add(new Event.Traffic.SessionBytes(s.id().toString(), IdText.of(s.streamId()),
              counts.in(), counts.out()));
        }
      }
      for (Stream stream : peer.streams()) {
        long[] sum = moved.getOrDefault(stream.id().value(), new long[2]);
        StreamStats stats = peer.stats(stream.id()).orElse(null);
        long rtt = stats == null || stats.srtt() == null ? -1 : stats.srtt().toNanos() / 1000;
        streams.add(new Event.Traffic.StreamRate(stream.id().toString(),
            Math.round(sum[0] / seconds), Math.round(sum[1] / seconds), rtt,
            stats == null ? 0 : stats.sessions()));
      }
    }
    previous = current;
    previousAt = now;
    if (events.wantsTraffic()) {
      events.publish(new Event.Traffic(now, streams, sessions));
    }
  }
}
