package dev.weft.mux;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * A few log lines per second about one peer, at most: what a peer does wrong must not let it fill
 * the node's log (5,000 refused Queries wrote 0.7 MB). Lines beyond the allowance are counted
 * and the count is logged once the next second begins. Not thread-safe: each peer's table (and
 * the node's acceptor for that peer) uses its own, on the table's executor.
 */
public final class LogLimit {
  static final int PER_SECOND = 10;
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private final LongSupplier nanoTime;
  private long windowStart;
  private int used;
  private int leftOut;

  public LogLimit(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.windowStart = nanoTime.getAsLong();
  }

  /** Whether one more line may be written now. */
  public boolean allow(Logger log) {
    long now = nanoTime.getAsLong();
    if (now - windowStart >= SECOND) {
      if (leftOut > 0) {
        log.warn("{} more lines about this peer were left out of the log", leftOut);
      }
      windowStart = now;
      used = 0;
      leftOut = 0;
    }
    if (used < PER_SECOND) {
      used++;
      return true;
    }
    leftOut++;
    return false;
  }
}
