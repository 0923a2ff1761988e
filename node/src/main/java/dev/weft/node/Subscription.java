package dev.weft.node;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One subscriber's bounded view of the event bus. Read it by polling; a consumer that lives on an
 * event loop can instead register {@link #onAvailable} and drain with {@link #poll()} when told.
 */
public final class Subscription implements AutoCloseable {
  private final ArrayBlockingQueue<Event> queue;
  private final AtomicLong droppedSinceReport = new AtomicLong();
  private final AtomicLong droppedTotal = new AtomicLong();
  private final boolean traffic;
  private final Clock clock;
  private final Consumer<Subscription> onClose;
  private volatile Runnable onAvailable = () -> {};
  private volatile boolean closed;

  Subscription(int capacity, boolean traffic, Clock clock, Consumer<Subscription> onClose) {
    if (capacity < 1) {
      throw new IllegalArgumentException("a subscription needs room for at least one event");
    }
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.traffic = traffic;
    this.clock = clock;
    this.onClose = onClose;
  }

  /** Whether it gets the {@link Event.Traffic} samples. */
  public boolean wantsTraffic() {
    return traffic;
  }

  /** False if the event was dropped because the queue was full. */
  boolean offer(Event event) {
    if (closed) {
      return true;
    }
    boolean taken = queue.offer(event);
    if (!taken) {
      droppedSinceReport.incrementAndGet();
      droppedTotal.incrementAndGet();
    }
    onAvailable.run();
    return taken;
  }

  /**
   * Called, on the publisher's thread, after each event offered to this subscription. It must
   * return at once (e.g. schedule a drain on the consumer's own executor).
   */
  public void onAvailable(Runnable listener) {
    this.onAvailable = listener;
  }

  /**
   * The next event, or null if none is waiting. After a drop, the next call returns an
   * {@link Event.Overflow} with the count before any further event.
   */
  public Event poll() {
    long dropped = droppedSinceReport.getAndSet(0);
    if (dropped > 0) {
      return new Event.Overflow(clock.instant(), dropped);
    }
    return queue.poll();
  }

  /** Like {@link #poll()}, waiting up to {@code timeout}; null if nothing arrived in time. */
  public Event poll(Duration timeout) throws InterruptedException {
    Event now = poll();
    if (now != null) {
      return now;
    }
    Event later = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    return later != null ? later : poll();
  }

  /** Events this subscription could not hold, over its whole life. */
  public long droppedTotal() {
    return droppedTotal.get();
  }

  @Override
  public void close() {
    closed = true;
    onClose.accept(this);
    queue.clear();
  }
}
