package dev.weft.mux;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Receive-window memory that all peers together may make this process buffer: one instance is
 * shared by the session tables of every peer (each also has its own
 * {@link MuxConfig#memoryBudget()}). When it runs out, new sessions are refused with
 * {@link Reason#LIMIT_REACHED} and windows stop growing. Thread-safe.
 */
public final class MemoryBudget {
  private final long limit;
  private final AtomicLong used = new AtomicLong();

  public MemoryBudget(long limit) {
    if (limit <= 0) {
      throw new IllegalArgumentException("memory budget must be positive, got " + limit);
    }
    this.limit = limit;
  }

  public static MemoryBudget unlimited() {
    return new MemoryBudget(Long.MAX_VALUE);
  }

  boolean reserve(long bytes) {
    long now;
    do {
      now = used.get();
      if (now + bytes > limit) {
        return false;
      }
    } while (!used.compareAndSet(now, now + bytes));
    return true;
  }

  void release(long bytes) {
    used.addAndGet(-bytes);
  }

  long available() {
    return limit - used.get();
  }

  /** Bytes reserved now: the sum of every open session's receive window. */
  public long used() {
    return used.get();
  }

  public long limit() {
    return limit;
  }
}
