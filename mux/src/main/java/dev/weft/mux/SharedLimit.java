package dev.weft.mux;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A node-wide resource every peer draws on (sessions, receive windows, unacknowledged send data),
 * shared fairly: each peer holds a {@link Share}, and
 *
 * <ul>
 *   <li>every peer may hold up to {@code guaranteed} units as long as any are free, and</li>
 *   <li>beyond that only while at least {@code reserve} units stay free afterwards.</li>
 * </ul>
 *
 * <p>So peers that take much can together fill the node only up to {@code limit - reserve}; the
 * reserve is left to peers still below their guarantee, and a newcomer gets its guarantee until
 * {@code reserve / guaranteed} such peers have taken theirs. Reservations are exact under
 * concurrency (one compare-and-set on the total; a share changes only on its owner's executor).
 * Thread-safe.
 */
public final class SharedLimit {
  /** The part of a limit kept free for peers below their guarantee: a quarter. */
  static final int RESERVE_DIVISOR = 4;
  /** How many peers' guarantees the reserve holds. */
  static final int GUARANTEES_IN_RESERVE = 16;

  /** One peer's part of the limit; changed only by that peer (on its table's executor). */
  public static final class Share {
    private final SharedLimit limit;
    private final AtomicLong held = new AtomicLong();

    private Share(SharedLimit limit) {
      this.limit = limit;
    }

    /** Takes {@code n} units if the rule allows it; all or nothing. */
    boolean reserve(long n) {
      return limit.reserve(this, n);
    }

    void release(long n) {
      limit.release(this, n);
    }

    /** The most {@link #reserve} would take now. */
    long available() {
      return limit.available(held.get());
    }

    long held() {
      return held.get();
    }

    /** Why {@link #reserve} failed, naming the rule. */
    String refusal(String what) {
      return "too many " + what + " on this node (limit " + limit.limit + (limit.reserve == 0 ? ")"
          : "; a peer holds more than " + limit.guaranteed + " only while " + limit.reserve + " stay free)");
    }

    /** Runs {@code wake} (once, on the releasing thread) when units are next given back. */
    void onRelease(Runnable wake) {
      limit.waiters.add(wake);
    }
  }

  private final long limit;
  private final long reserve;
  private final long guaranteed;
  private final AtomicLong used = new AtomicLong();
  private final Queue<Runnable> waiters = new ConcurrentLinkedQueue<>();

  /** A limit with the default split: a quarter kept in reserve, holding 16 peers' guarantees. */
  public SharedLimit(long limit) {
    this(limit, limit / RESERVE_DIVISOR, Math.max(1, limit / RESERVE_DIVISOR / GUARANTEES_IN_RESERVE));
  }

  public SharedLimit(long limit, long reserve, long guaranteed) {
    if (limit <= 0 || reserve < 0 || reserve >= limit || guaranteed <= 0) {
      throw new IllegalArgumentException("need 0 <= reserve < limit and guaranteed > 0, got limit " + limit
          + ", reserve " + reserve + ", guaranteed " + guaranteed);
    }
    this.limit = limit;
    this.reserve = reserve;
    this.guaranteed = guaranteed;
  }

  public static SharedLimit unlimited() {
    return new SharedLimit(Long.MAX_VALUE, 0, Long.MAX_VALUE);
  }

  /** A new peer's share, holding nothing yet. */
  public Share share() {
    return new Share(this);
  }

  private boolean reserve(Share share, long n) {
    long mine = share.held.get();
    long now;
    do {
      now = used.get();
      if (n > allowed(now, mine)) {
        return false;
      }
    } while (!used.compareAndSet(now, now + n));
    share.held.addAndGet(n);
    return true;
  }

  private void release(Share share, long n) {
    if (n == 0) {
      return;
    }
    share.held.addAndGet(-n);
    used.addAndGet(-n);
    for (Runnable wake; (wake = waiters.poll()) != null; ) {
      wake.run();
    }
  }

  private long available(long mine) {
    return Math.max(0, allowed(used.get(), mine));
  }

  /** The most a peer holding {@code mine} may add while {@code now} are used in all. */
  private long allowed(long now, long mine) {
    long free = limit - now;
    return Math.max(Math.min(free, guaranteed - mine), free - reserve);
  }

  /** Units held now by all peers together. */
  public long used() {
    return used.get();
  }

  public long limit() {
    return limit;
  }

  /** Units only peers below their guarantee may take. */
  public long reserve() {
    return reserve;
  }

  /** What every peer may hold while anything is free. */
  public long guaranteed() {
    return guaranteed;
  }
}
