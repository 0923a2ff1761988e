package dev.weft.node;

import java.time.Clock;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * Fans node events out to subscribers. Publishing never blocks: each subscriber has its own
 * bounded queue, and what does not fit is counted and reported to that subscriber as an
 * {@link Event.Overflow}.
 */
public final class EventBus {
  private final CopyOnWriteArrayList<Subscription> subscribers = new CopyOnWriteArrayList<>();
  private final Clock clock;
  private final LongAdder droppedEver = new LongAdder();

  public EventBus(Clock clock) {
    this.clock = clock;
  }

  /** The clock events are stamped with. */
  public Clock clock() {
    return clock;
  }

  /**
   * Delivers {@code event} to every subscriber that has room for it ({@link Event.Traffic} only to
   * those that asked for it). Safe from any thread.
   */
  public void publish(Event event) {
    boolean traffic = event instanceof Event.Traffic;
    for (Subscription s : subscribers) {
      if ((!traffic || s.wantsTraffic()) && !s.offer(event)) {
        droppedEver.increment();
      }
    }
  }

  /** A new subscription holding at most {@code capacity} undelivered events, without traffic samples. */
  public Subscription subscribe(int capacity) {
    return subscribe(capacity, false);
  }

  /** Like {@link #subscribe(int)}; with {@code traffic}, it also gets the {@link Event.Traffic} samples. */
  public Subscription subscribe(int capacity, boolean traffic) {
    Subscription s = new Subscription(capacity, traffic, clock, subscribers::remove);
    subscribers.add(s);
    return s;
  }

  /** Whether any subscriber wants traffic samples (so they are worth taking). */
  public boolean wantsTraffic() {
    return subscribers.stream().anyMatch(Subscription::wantsTraffic);
  }

  /** Events dropped across all current subscribers since they subscribed. */
  public long dropped() {
    return subscribers.stream().mapToLong(Subscription::droppedTotal).sum();
  }

  /** Events dropped for any subscriber, present or gone, since the bus was made: only grows. */
  public long droppedEver() {
    return droppedEver.sum();
  }

  public int subscribers() {
    return subscribers.size();
  }
}
