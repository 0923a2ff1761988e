package dev.weft.mux;

import java.time.Duration;

/**
 * Tunables of one peer's session table. Start from {@link #defaults()} and change fields with the
 * {@code with...} methods. A zero {@code failoverGrace} disables failover; a zero
 * {@code idleTimeout} disables the idle check; a null {@code rebalance} (the default) never moves
 * sessions on its own.
 *
 * @param maxPayload largest Data payload accepted from the peer (frames beyond it close the stream)
 * @param chunkSize largest Data payload sent: bulk data is cut into chunks so sessions interleave
 * @param initialWindow receive window a session starts with while the budget has room: with less,
 *     it starts at its share of what is left (see Budget), at least 4 KiB
 * @param maxWindow ceiling for window auto-tuning
 * @param maxQueuedWrites bytes a session queues beyond its window before writes fail
 * @param suspectAfter probe timeouts of silence, with an answer owed, after which a stream is
 *     suspect: its sessions move to a healthy stream while it is probed (0: never suspect)
 * @param probeFloor the least probe timeout (PTO), however short the measured RTT
 * @param memoryBudget sum of all sessions' receive windows, the most the peer can make us buffer
 *     (the defaults' 1 GiB holds every one of 4096 sessions at the 256 KiB initial window), and
 *     separately the most unacknowledged send data we keep for the peer (see SendBudget)
 */
public record MuxConfig(
    int maxPayload,
    int chunkSize,
    int initialWindow,
    int maxWindow,
    int maxQueuedWrites,
    long memoryBudget,
    int maxSessionsPerStream,
    int maxSessionsPerPeer,
    int maxPendingOpens,
    Duration pingInterval,
    Duration pingTimeout,
    Duration openTimeout,
    Duration migrateTimeout,
    Duration failoverGrace,
    Duration idleTimeout,
    Rebalance rebalance,
    int suspectAfter,
    Duration probeFloor) {

  public MuxConfig {
    positive("maxPayload", maxPayload);
    positive("chunkSize", chunkSize);
    positive("initialWindow", initialWindow);
    positive("maxSessionsPerStream", maxSessionsPerStream);
    positive("maxSessionsPerPeer", maxSessionsPerPeer);
    positive("maxPendingOpens", maxPendingOpens);
    positive("maxQueuedWrites", maxQueuedWrites);
    if (maxPayload < Wire.MIN_PAYLOAD) {
      throw new IllegalArgumentException("maxPayload must be at least " + Wire.MIN_PAYLOAD);
    }
    if (chunkSize > maxPayload) {
      throw new IllegalArgumentException("chunkSize " + chunkSize + " exceeds maxPayload " + maxPayload);
    }
    if (maxWindow < initialWindow) {
      throw new IllegalArgumentException("maxWindow " + maxWindow + " is below initialWindow " + initialWindow);
    }
    if (memoryBudget < Math.min(initialWindow, Budget.MIN_WINDOW)) {
      throw new IllegalArgumentException("memoryBudget " + memoryBudget + " cannot hold one window of "
          + Math.min(initialWindow, Budget.MIN_WINDOW) + " bytes");
    }
    if (pingInterval.isNegative() || pingInterval.isZero() || pingTimeout.compareTo(pingInterval) <= 0) {
      throw new IllegalArgumentException("need 0 < pingInterval < pingTimeout, got " + pingInterval + " / " + pingTimeout);
    }
    for (Duration d : new Duration[] {openTimeout, migrateTimeout}) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("timeouts must be positive, got " + d);
      }
    }
    if (failoverGrace.isNegative() || idleTimeout.isNegative()) {
      throw new IllegalArgumentException("failoverGrace and idleTimeout must not be negative");
    }
    if (suspectAfter < 0 || probeFloor.isNegative() || probeFloor.isZero()) {
      throw new IllegalArgumentException("need suspectAfter >= 0 and probeFloor > 0, got "
          + suspectAfter + " / " + probeFloor);
    }
  }

  public static MuxConfig defaults() {
    return new MuxConfig(64 * 1024, 16 * 1024, 256 * 1024, 16 * 1024 * 1024, 1024 * 1024,
        1024L * 1024 * 1024, 2048, 4096, 1024, Duration.ofSeconds(5), Duration.ofSeconds(15),
        Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ZERO, null,
        3, Duration.ofMillis(250));
  }

  public MuxConfig withWindows(int initial, int max) {
    return new MuxConfig(maxPayload, chunkSize, initial, max, maxQueuedWrites, memoryBudget,
        maxSessionsPerStream, maxSessionsPerPeer, maxPendingOpens, pingInterval, pingTimeout,
        openTimeout, migrateTimeout, failoverGrace, idleTimeout, rebalance, suspectAfter, probeFloor);
  }

  public MuxConfig withFrames(int maxPayload, int chunkSize) {
    return new MuxConfig(maxPayload, chunkSize, initialWindow, maxWindow, maxQueuedWrites, memoryBudget,
        maxSessionsPerStream, maxSessionsPerPeer, maxPendingOpens, pingInterval, pingTimeout,
        openTimeout, migrateTimeout, failoverGrace, idleTimeout, rebalance, suspectAfter, probeFloor);
  }

  public MuxConfig withLimits(int perStream, int perPeer, int pendingOpens, long budget, int queuedWrites) {
    return new MuxConfig(maxPayload, chunkSize, initialWindow, maxWindow, queuedWrites, budget,
        perStream, perPeer, pendingOpens, pingInterval, pingTimeout,
        openTimeout, migrateTimeout, failoverGrace, idleTimeout, rebalance, suspectAfter, probeFloor);
  }

  public MuxConfig withPing(Duration interval, Duration timeout) {
    return new MuxConfig(maxPayload, chunkSize, initialWindow, maxWindow, maxQueuedWrites, memoryBudget,
        maxSessionsPerStream, maxSessionsPerPeer, maxPendingOpens, interval, timeout,
        openTimeout, migrateTimeout, failoverGrace, idleTimeout, rebalance, suspectAfter, probeFloor);
  }

  public MuxConfig withTimeouts(Duration open, Duration migrate, Duration idle) {
    return new MuxConfig(maxPayload, chunkSize, initialWindow, maxWindow, maxQueuedWrites, memoryBudget,
        maxSessionsPerStream, maxSessionsPerPeer, maxPendingOpens, pingInterval, pingTimeout,
        open, migrate, failoverGrace, idle, rebalance, suspectAfter, probeFloor);
  }

  public MuxConfig withFailoverGrace(Duration grace) {
    return new MuxConfig(maxPayload, chunkSize, initialWindow, maxWindow, maxQueuedWrites, memoryBudget,
        maxSessionsPerStream, maxSessionsPerPeer, maxPendingOpens, pingInterval, pingTimeout,
        openTimeout, migrateTimeout, grace, idleTimeout, rebalance, suspectAfter, probeFloor);
  }

  /** Turns on moving sessions off streams whose RTT degrades (null turns it off, the default). */
  public MuxConfig withRebalance(Rebalance policy) {
    return new MuxConfig(maxPayload, chunkSize, initialWindow, maxWindow, maxQueuedWrites, memoryBudget,
        maxSessionsPerStream, maxSessionsPerPeer, maxPendingOpens, pingInterval, pingTimeout,
        openTimeout, migrateTimeout, failoverGrace, idleTimeout, policy, suspectAfter, probeFloor);
  }

  /**
   * How fast a silent stream is suspected: after {@code after} probe timeouts (each the smoothed
   * RTT plus 4 deviations, at least {@code floor}) with an answer owed and nothing heard (0 turns
   * suspicion off).
   */
  public MuxConfig withSuspicion(int after, Duration floor) {
    return new MuxConfig(maxPayload, chunkSize, initialWindow, maxWindow, maxQueuedWrites, memoryBudget,
        maxSessionsPerStream, maxSessionsPerPeer, maxPendingOpens, pingInterval, pingTimeout,
        openTimeout, migrateTimeout, failoverGrace, idleTimeout, rebalance, after, floor);
  }

  private static void positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }
}
