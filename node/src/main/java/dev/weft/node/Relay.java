package dev.weft.node;

import dev.weft.identity.Identity;
import dev.weft.link.CarrierPipe;
import dev.weft.link.Stream;
import dev.weft.mux.Session;
import dev.weft.mux.SessionTable;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's side of {@value RelayRequest#SERVICE} (a node run with {@code --relay}): grants
 * reservations and joins a CONNECT session to a session it opens to the reserving peer, within
 * {@link RelayLimits}. It forwards the two sessions' bytes, a link's ciphertext, without reading
 * them.
 */
final class Relay {
  private static final Logger LOG = LoggerFactory.getLogger(Relay.class);

  private final RelayLimits limits;
  private final EventBus events;
  /** A peer's session table while it is linked. */
  private final Function<Identity, Optional<SessionTable>> linked;
  /** The event loop a session's pipe runs on. */
  private final Function<EventExecutor, EventLoop> loopOf;
  /** The stream a session runs on, for the address a reserving peer is seen at. */
  private final BiFunction<Identity, Long, Optional<Stream>> streamOf;
  // Guarded by this: sessions of different peers run on different loops.
  private final Map<Identity, Instant> reservations = new HashMap<>();
  private final Map<Identity, Integer> streamsOf = new HashMap<>();
  private int streams;
  private long refusals;

  Relay(RelayLimits limits, EventBus events, Function<Identity, Optional<SessionTable>> linked,
      Function<EventExecutor, EventLoop> loopOf, BiFunction<Identity, Long, Optional<Stream>> streamOf) {
    this.limits = limits;
    this.events = events;
    this.linked = linked;
    this.loopOf = loopOf;
    this.streamOf = streamOf;
  }

  RelayLimits limits() {
    return limits;
  }

  /** Live reservations now. */
  synchronized int reservations() {
    expire(events.clock().instant());
    return reservations.size();
  }

  /** Relayed streams now. */
  synchronized int streams() {
    return streams;
  }

  /** Requests refused since the start. */
  synchronized long refusals() {
    return refusals;
  }

  void reserve(Session session, Identity peer) {
    RelayReply reply = grant(peer, observed(peer, session));
    if (!reply.ok()) {
      refuse(session, peer, "reserve", reply);
      return;
    }
    session.write(reply.encode(true));
    session.close();
  }

  /** Behind a NAT, the source address of the stream a request came on is the NAT's mapping. */
  private Optional<InetSocketAddress> observed(Identity peer, Session session) {
    return streamOf.apply(peer, session.streamId()).map(Stream::remoteAddress);
  }

  private synchronized RelayReply grant(Identity peer, Optional<InetSocketAddress> observed) {
    String denied = limits.reservers().refusal(peer);
    if (denied != null) {
      return RelayReply.refused(RelayReply.Code.ACCESS_DENIED, "may not reserve here: " + denied);
    }
    Instant now = events.clock().instant();
    expire(now);
    if (!reservations.containsKey(peer) && reservations.size() >= limits.reservations()) {
      return RelayReply.refused(RelayReply.Code.RESERVATIONS_FULL,
          "too many reservations (limit " + limits.reservations() + ")");
    }
    reservations.put(peer, now.plus(limits.reservationLifetime()));
    return RelayReply.reserved(limits.reservationLifetime().toSeconds(), observed);
  }

  private void expire(Instant now) {
    reservations.values().removeIf(expiry -> !expiry.isAfter(now));
  }

  void connect(Session session, Identity source, Identity target) {
    Optional<SessionTable> table = linked.apply(target);
    RelayReply refusal = admit(source, target, table.isPresent());
    if (refusal != null) {
      refuse(session, source, "connect to " + target.shortText(), refusal);
      return;
    }
    CompletableFuture<Session> incoming = table.orElseThrow()
        .open(RelayRequest.SERVICE, new RelayRequest(RelayRequest.Kind.INCOMING, source).encode());
    incoming.thenCompose(toTarget -> join(session, toTarget, source, target)).whenComplete((ok, e) -> {
      if (e != null) {
        release(source, target);
        refuse(session, source, "connect to " + target.shortText(), RelayReply.refused(
            RelayReply.Code.PEER_UNREACHABLE, "the peer did not take the relayed stream: " + e.getMessage()));
      }
    });
  }

  /** Null when a stream from {@code source} to {@code target} may be relayed (and is counted). */
  private synchronized RelayReply admit(Identity source, Identity target, boolean targetLinked) {
    expire(events.clock().instant());
    if (!reservations.containsKey(target) || !targetLinked) {
      reservations.remove(target);
      return RelayReply.refused(RelayReply.Code.NO_RESERVATION, target.shortText() + " has no reservation here");
    }
    if (streams >= limits.streams()) {
      return RelayReply.refused(RelayReply.Code.STREAMS_FULL,
          "too many relayed streams (limit " + limits.streams() + ")");
    }
    for (Identity end : new Identity[] {source, target}) {
      if (streamsOf.getOrDefault(end, 0) >= limits.streamsPerPeer()) {
        return RelayReply.refused(RelayReply.Code.STREAMS_FULL, "too many relayed streams with "
            + end.shortText() + " (limit " + limits.streamsPerPeer() + ")");
      }
    }
    streams++;
    streamsOf.merge(source, 1, Integer::sum);
    streamsOf.merge(target, 1, Integer::sum);
    return null;
  }

  private synchronized void release(Identity source, Identity target) {
    streams--;
    streamsOf.computeIfPresent(source, (k, n) -> n > 1 ? n - 1 : null);
    streamsOf.computeIfPresent(target, (k, n) -> n > 1 ? n - 1 : null);
  }

  /**
   * Pipes the two sessions' bytes, until either ends or a limit is reached, and then answers OK:
   * a join that fails is refused instead, never an OK followed by a refusal the source would take
   * for link bytes. The target speaks only after the source's hello, so nothing precedes the OK.
   */
  private CompletableFuture<Void> join(Session fromSource, Session toTarget, Identity source, Identity target) {
    RelayCircuit circuit = new RelayCircuit(limits, source, target);
    return CarrierPipe.open(loopOf.apply(fromSource.executor()),
        ch -> circuit.end(0, ch, fromSource), ch -> circuit.end(1, ch, toTarget))
        .whenComplete((ok, e) -> {
          if (e != null) {
            toTarget.reset("the relay could not join the sessions: " + e.getMessage());
          } else {
            fromSource.write(RelayReply.connected(observed(source, fromSource)).encode(false));
            circuit.closed().thenRun(() -> release(source, target));
          }
        });
  }

  private void refuse(Session session, Identity peer, String request, RelayReply refusal) {
    synchronized (this) {
      refusals++;
    }
    LOG.info("relay refused {} from {}: {}", request, peer.shortText(), refusal.reason());
    events.publish(new Event.RelayRefused(events.clock().instant(), peer, request, refusal.code().name(),
        refusal.reason()));
    session.write(refusal.encode(false));
    session.close();
  }
}
