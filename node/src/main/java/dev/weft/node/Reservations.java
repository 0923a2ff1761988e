package dev.weft.node;

import dev.weft.identity.Identity;
import dev.weft.link.Endpoint;
import dev.weft.link.Stream;
import dev.weft.mux.Session;
import dev.weft.mux.SessionTable;
import io.netty.util.concurrent.EventExecutorGroup;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's reservations at its relays: reserves at start, renews at half the lifetime the
 * relay granted, and reserves again (linking the relay again if need be) as soon as the stream that
 * carried a reservation closes; failures retry with doubling backoff.
 */
final class Reservations {
  private static final Logger LOG = LoggerFactory.getLogger(Reservations.class);
  static final Duration FIRST_RETRY = Duration.ofMillis(250);
  static final Duration MAX_RETRY = Duration.ofSeconds(30);

  private final List<ReservedRelay> relays;
  private final BiFunction<Identity, Endpoint, CompletableFuture<SessionTable>> relayTable;
  private final BiFunction<Identity, Long, Optional<Stream>> streamOf;
  private final EventExecutorGroup timers;
  private final EventBus events;
  /** Live reservations by relay: when each expires. */
  private final Map<Identity, Instant> live = new ConcurrentHashMap<>();
  private final ObservedAddresses observed;
  private final Set<Identity> inFlight = ConcurrentHashMap.newKeySet();
  private final Map<Identity, ScheduledFuture<?>> next = new ConcurrentHashMap<>();
  private volatile boolean closed;

  Reservations(List<ReservedRelay> relays, BiFunction<Identity, Endpoint, CompletableFuture<SessionTable>> relayTable,
      BiFunction<Identity, Long, Optional<Stream>> streamOf, EventExecutorGroup timers, EventBus events,
      ObservedAddresses observed) {
    this.relays = List.copyOf(relays);
    this.relayTable = relayTable;
    this.streamOf = streamOf;
    this.timers = timers;
    this.events = events;
    this.observed = observed;
  }

  void start() {
    relays.forEach(relay -> attempt(relay, FIRST_RETRY));
  }

  /** Whether this node reserves at {@code relay} (whether or not the reservation is live now). */
  boolean reservesAt(Identity relay) {
    return relays.stream().anyMatch(r -> r.relay().equals(relay));
  }

  /** Reservations live now. */
  int live() {
    Instant now = events.clock().instant();
    return (int) live.values().stream().filter(expiry -> expiry.isAfter(now)).count();
  }

  /** The relays this node reserves at. */
  List<ReservedRelay> relays() {
    return relays;
  }

  private void attempt(ReservedRelay relay, Duration backoff) {
    if (closed || !inFlight.add(relay.relay())) {
      return;
    }
    relayTable.apply(relay.relay(), relay.direct())
        .thenCompose(table -> table.open(RelayRequest.SERVICE, RelayRequest.reserve().encode()))
        .thenCompose(session -> read(relay, session))
        .whenComplete((reply, e) -> {
          inFlight.remove(relay.relay());
          if (e == null) {
            granted(relay, reply);
            Duration lifetime = Duration.ofSeconds(reply.lifetimeSeconds());
            schedule(relay, lifetime.dividedBy(2), FIRST_RETRY);
          } else {
            failed(relay, e instanceof CompletionException ? e.getCause() : e);
            Duration doubled = backoff.multipliedBy(2);
            schedule(relay, backoff, doubled.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : doubled);
          }
        });
  }

  /** Reads the reply, ends the session, and watches the stream it came on. */
  private CompletableFuture<RelayReply> read(ReservedRelay relay, Session session) {
    return RelayReplyReader.read(session, true).whenComplete((reply, e) -> {
      session.close();
      if (e == null) {
        streamOf.apply(relay.relay(), session.streamId()).ifPresent(stream -> stream.closeFuture()
            .thenRun(() -> {
              LOG.debug("the stream that carried the reservation at {} closed", relay.relay().shortText());
              attempt(relay, FIRST_RETRY);
            }));
      }
    });
  }

  private void granted(ReservedRelay relay, RelayReply reply) {
    Instant now = events.clock().instant();
    Instant before = live.put(relay.relay(), now.plusSeconds(reply.lifetimeSeconds()));
    boolean renewed = before != null && before.isAfter(now);
    LOG.debug("reservation at {} {} for {} s", relay.relay().shortText(), renewed ? "renewed" : "made",
        reply.lifetimeSeconds());
    events.publish(renewed
        ? new Event.ReservationRenewed(now, relay.relay(), reply.lifetimeSeconds())
        : new Event.ReservationMade(now, relay.relay(), relay.endpoint(), reply.lifetimeSeconds()));
    reply.observed().ifPresentOrElse(a -> observed.report(relay.relay(), a), () -> observed.forget(relay.relay()));
  }

  private void failed(ReservedRelay relay, Throwable cause) {
    Instant expiry = live.get(relay.relay());
    Instant now = events.clock().instant();
    String why = String.valueOf(cause.getMessage());
    LOG.info("cannot reserve at {} ({}): {}", relay.relay().shortText(), relay.endpoint(), why);
    // The relay may have forgotten it (restarted): from now on it is lost, not waiting to expire.
    observed.forget(relay.relay());
    if (expiry != null && live.remove(relay.relay()) != null && expiry.isAfter(now)) {
      events.publish(new Event.ReservationLost(now, relay.relay(), why));
    }
  }

  private void schedule(ReservedRelay relay, Duration delay, Duration backoff) {
    if (closed) {
      return;
    }
    ScheduledFuture<?> task = timers.schedule(() -> attempt(relay, backoff), delay.toMillis(), TimeUnit.MILLISECONDS);
    ScheduledFuture<?> previous = next.put(relay.relay(), task);
    if (previous != null) {
      previous.cancel(false);
    }
  }

  void close() {
    closed = true;
    next.values().forEach(task -> task.cancel(false));
  }
}
