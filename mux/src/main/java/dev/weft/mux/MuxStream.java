package dev.weft.mux;

import dev.weft.identity.IdText;
import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * The mux's side of one attached stream: its liveness, RTT and the scheduler that writes its
 * sessions' data. Control frames are written at once; Data is written round-robin, one chunk per
 * session per turn, only while the channel is writable, so a control frame never waits behind
 * more than the channel's own high-water mark of bulk data. One flush per batch. Confined to the
 * table's executor except for the volatile fields read by {@link #stats()}.
 */
final class MuxStream {
  /** Chunks written per scheduler run before yielding the executor to other work. */
  private static final int CHUNKS_PER_RUN = 64;
  /**
   * Bytes queued beyond the channel's low-water mark at which the peer is deemed not to read.
   * Data alone never gets here (it is only written while the channel is writable).
   */
  static final long MAX_UNREAD = 4L << 20;

  private final SessionTable table;
  private final long id;
  private final Channel channel;
  private final Consumer<String> close;
  private final Instant attached = Instant.now();
  private final Rtt rtt = new Rtt();
  private final Liveness liveness = new Liveness();
  private final ArrayDeque<Session> active = new ArrayDeque<>();
  private volatile boolean ready;
  private volatile int sessions;
  private volatile long srtt;
  private volatile long minRtt;
  private volatile double loss;
  private final PingLoss pingLoss = new PingLoss();
  private long pingInterval;
  private volatile String closeReason;
  private boolean closed;
  private int chunkSize;
  private boolean pumpScheduled;
  private boolean flushNeeded;
  private long lastInbound;
  /** When a session's frame last came in and went out (0: never): traffic both ways needs no Ping. */
  private long lastTrafficIn;
  private long lastTrafficOut;
  private final long firstPing;
  private long lastPing;
  private long lastPong;
  /** When the oldest Ping still unanswered went out (at least the latest one's), or 0: read by {@link #zombie}. */
  private volatile long unansweredSince;
  /** Pings sent before this (into a silence that made the stream suspect) give no RTT sample. */
  private long sampleFrom;
  /** Pings someone asked for by id, waiting for their Pong; null while there are none. */
  private Map<Long, CompletableFuture<Duration>> probes;
  /** Consecutive rebalance checks at which this stream was degraded (see Rebalancer). */
  int strikes;

  MuxStream(SessionTable table, long id, Channel channel, Consumer<String> close) {
    this.table = table;
    this.id = id;
    this.channel = channel;
    this.close = close;
    this.lastInbound = table.nanoTime();
    this.firstPing = lastInbound;
    this.sampleFrom = lastInbound;
  }

  long id() {
    return id;
  }

  boolean live() {
    return ready && !closed;
  }

  boolean closed() {
    return closed;
  }

  int chunkSize() {
    return chunkSize;
  }

  void sessionsChanged(int delta) {
    sessions += delta;
  }

  int sessions() {
    return sessions;
  }

  StreamStats stats() {
    long s = srtt;
    long m = minRtt;
    return new StreamStats(id, ready && !closed, s == 0 ? null : Duration.ofNanos(s),
        m == 0 ? null : Duration.ofNanos(m), loss, sessions, attached, liveness.suspect());
  }

  /** The peer's Hello arrived: data may flow, and the first Ping goes out. */
  void ready(int peerMaxPayload, MuxConfig config) {
    chunkSize = Math.min(config.chunkSize(), peerMaxPayload);
    pingInterval = config.pingInterval().toNanos();
    ready = true;
    ping();
  }

  /**
   * The liveness timer, from attach on: a stream that brought no whole frame for the ping
   * timeout is dead (before its Hello too: a peer that never says Hello holds nothing for
   * long); a ready one is pinged.
   */
  void pingDue(Duration timeout) {
    long now = table.nanoTime();
    if (now - lastInbound > timeout.toNanos()) {
      fail(ready ? "ping timeout: nothing received for " + timeout.toMillis() + " ms"
          : "no mux Hello within " + timeout.toMillis() + " ms");
    } else if (ready && !trafficBothWays(now)) {
      ping();
    }
  }

  /**
   * Whether sessions' frames went out and came in within the last ping interval:
   * the peer is plainly alive, and a Ping would wait behind the data queued on the transport and
   * measure that queue, not the path (on a 50 ms path at 5 % loss, 236-589 ms samples in bulk).
   */
  private boolean trafficBothWays(long now) {
    return lastTrafficIn != 0 && lastTrafficOut != 0
        && now - lastTrafficIn < pingInterval && now - lastTrafficOut < pingInterval;
  }

  /** Pings now; {@code result} completes with the round trip when that Ping's Pong arrives. */
  void probe(CompletableFuture<Duration> result) {
    ping();
    if (probes == null) {
      probes = new HashMap<>(4);
    }
    probes.put(lastPing, result);
  }

  /** When the latest Ping went out (on the executor). */
  long lastPing() {
    return lastPing;
  }

  /**
   * A Ping's id is its send time, so several may be outstanding when the RTT exceeds the interval.
   * Also the probe into a silence (SilentPaths): its Pong clears the stream and gives a sample.
   */
  void ping() {
    if (lastPong >= lastPing) {
      unansweredSince = table.nanoTime(); // every earlier Ping was answered: this one starts the wait
    }
    lastPing = table.nanoTime();
    loss = pingLoss.loss(lastPing, pingInterval);
    pingLoss.sent(lastPing);
    send(new Frame.Ping(lastPing));
  }

  void received(Frame frame) {
    lastInbound = table.nanoTime();
    if (frame.session() != 0) {
      lastTrafficIn = lastInbound;
    }
    if (liveness.heard()) {
      // The Pongs of Pings held up by the outage measure the outage, not the path (Karn's rule):
      // taken as samples they would stretch the probe timeout for many round trips to come.
      sampleFrom = lastInbound;
      table.silentPaths().answered(this);
    }
  }

  Liveness liveness() {
    return liveness;
  }

  /** The probe timeout: smoothed RTT plus 4 deviations, at least {@code floor}. */
  long pto(long floor) {
    long smoothed = rtt.smoothed();
    return Math.max(floor, smoothed == 0 ? Liveness.INITIAL_PTO : smoothed + 4 * rtt.variance());
  }

  /**
   * A frame goes out: a session's counts as traffic, and if the peer must answer it the silence
   * counts from the first such one (see SilentPaths).
   */
  private void goingOut(Frame frame) {
    if (frame.session() != 0) {
      lastTrafficOut = table.nanoTime();
    }
    if (!liveness.owed() && Liveness.asksAnswer(frame)) {
      liveness.owe(table.nanoTime());
      table.silentPaths().watch();
    }
  }

  /** Takes a sample only from a Pong answering one of our Pings, each at most once. */
  void pong(long id) {
    if (id > lastPong && id >= firstPing && id <= lastPing) {
      lastPong = id;
      unansweredSince = id == lastPing ? 0 : lastPing;
      long now = table.nanoTime();
      CompletableFuture<Duration> probe = probes == null ? null : probes.remove(id);
      if (probe != null) {
        probe.complete(Duration.ofNanos(now - id));
      }
      if (id >= sampleFrom) {
        rtt.sample(now - id);
      }
      pingLoss.answered(id, now - id);
      loss = pingLoss.loss(now, pingInterval);
      srtt = rtt.smoothed();
      minRtt = rtt.min();
    }
  }

  /**
   * Whether a Ping has gone unanswered for longer than {@code floor} and {@code rtts} smoothed
   * round trips: the stream is dead without its transport having noticed yet. Any thread.
   */
  boolean zombie(long now, Duration floor, int rtts) {
    long since = unansweredSince;
    return since != 0 && now - since > Math.max(floor.toNanos(), rtts * srtt);
  }

  /** Writes a control frame now; it goes out with the next flush. */
  void send(Frame frame) {
    assert table.inExecutor();
    if (closed) {
      ReferenceCountUtil.release(frame);
      return;
    }
    // Data waits for writability, control frames do not: a peer that floods requests (Ping,
    // Query, Data for unknown sessions) and never reads the answers must not fill our memory.
    long unread = channel.bytesBeforeWritable();
    // A closed channel has no outbound buffer and Netty then reports Long.MAX_VALUE: that is no
    // backlog, and the real reason the stream closed must not be replaced by this one.
    if (unread > MAX_UNREAD && channel.isOpen()) {
      ReferenceCountUtil.release(frame);
      fail("peer does not read: " + unread + " bytes wait to be sent");
      return;
    }
    goingOut(frame);
    channel.write(frame, channel.voidPromise());
    flushNeeded = true;
    schedulePump();
  }

  /** Puts a session with something to send into the round-robin. */
  void wake(Session session) {
    assert table.inExecutor();
    if (closed || session.queuedOn == this) {
      return;
    }
    session.queuedOn = this;
    active.add(session);
    schedulePump();
  }

  void schedulePump() {
    if (!pumpScheduled && !closed) {
      pumpScheduled = true;
      table.executor().execute(this::pump);
    }
  }

  void pump() {
    assert table.inExecutor();
    pumpScheduled = false;
    if (closed) {
      return;
    }
    int chunks = 0;
    // Frames written from this executor count as a few bytes until the channel's loop encodes
    // them: a run stops at the room the channel had when it began, and the next run waits until
    // the loop has taken this one's writes. Otherwise runs stacked megabytes onto a full channel
    // (on a slow KCP path past MAX_UNREAD, and the stream was closed as unread).
    long room = channel.bytesBeforeUnwritable();
    while (room > 0 && chunks < CHUNKS_PER_RUN && !active.isEmpty()) {
      Session session = active.poll();
      if (session.queuedOn != this) {
        continue;
      }
      Frame frame = session.nextFrame(this);
      if (frame == null) {
        session.queuedOn = null;
        continue;
      }
      goingOut(frame);
      room -= frame instanceof Frame.Data data ? data.payload().readableBytes() : 1;
      channel.write(frame, channel.voidPromise());
      flushNeeded = true;
      chunks++;
      active.add(session);
    }
    if (flushNeeded) {
      flushNeeded = false;
      channel.flush();
    }
    if (chunks > 0) {
      pumpWhenChannelCaughtUp();
    }
  }

  /**
   * Runs the pump again once the channel's event loop has taken this run's writes, and no sooner:
   * until then the channel's writability does not count them (seen on KCP, whose single event
   * loop falls behind on a busy machine).
   */
  private void pumpWhenChannelCaughtUp() {
    if (channel.eventLoop() == table.executor()) {
      schedulePump();
      return;
    }
    pumpScheduled = true;
    try {
      channel.eventLoop().execute(() -> table.later(this::pump));
    } catch (RejectedExecutionException e) {
      pumpScheduled = false; // the channel is gone: nothing left to pump
    }
  }

  /** Closes the stream for a reason of ours (protocol error, ping timeout). */
  void fail(String reason) {
    if (closeReason == null) {
      closeReason = reason;
    }
    close.accept(reason);
  }

  String closeReason() {
    String reason = closeReason;
    return reason == null ? "closed" : reason;
  }

  /** The channel closed: stop everything. */
  void detach() {
    closed = true;
    if (probes != null) {
      IOException gone = new IOException("stream " + IdText.of(id) + " closed: " + closeReason());
      probes.values().forEach(p -> p.completeExceptionally(gone));
      probes = null;
    }
    for (Session s : active) {
      if (s.queuedOn == this) {
        s.queuedOn = null;
      }
    }
    active.clear();
  }
}
