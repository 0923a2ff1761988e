package dev.weft.node;

import dev.weft.identity.Identity;
import dev.weft.link.Linker;
import dev.weft.link.Listener;
import dev.weft.link.Stream;
import dev.weft.link.StreamId;
import dev.weft.link.Transport;
import dev.weft.mux.Session;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upgrades relayed streams to direct ones (docs/nat.md, "Hole punching"): the end that dialled a
 * relayed stream starts a {@link HolePunch} over it once it is ready, and every node answers the
 * {@value PunchMessage#SERVICE} sessions a linked peer opens. The end that dials the direct stream
 * moves every session of the relayed stream onto it live and closes the relayed one (or keeps it
 * as a standby). A failed punch leaves the sessions on the relay; the initiator tries again later,
 * waiting twice as long each time.
 */
final class HolePunching implements Service {
  private static final Logger LOG = LoggerFactory.getLogger(HolePunching.class);
  /** A peer may start a punch with this node at most once in this time (and one at a time). */
  static final Duration MIN_INTERVAL = Duration.ofSeconds(10);
  static final Duration FIRST_RETRY = Duration.ofSeconds(30);
  static final Duration MAX_RETRY = Duration.ofMinutes(30);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final boolean enabled;
  private final boolean keepRelayed;
  private final Linker linker;
  private final Supplier<List<Listener>> listeners;
  private final ObservedAddresses observed;
  private final EventBus events;
  private final Function<Identity, Optional<LinkedPeer>> peers;
  /** Completes when a stream is ready at both ends (its mux attached there too). */
  private final Function<Stream, CompletableFuture<Void>> readiness;
  private final EventLoopGroup timers;
  private final NodeMetrics metrics;
  // Guarded by this.
  private final Set<Identity> running = new HashSet<>();
  private final Map<Identity, Long> startedAt = new HashMap<>();
  private final Map<Identity, Integer> failures = new HashMap<>();

  HolePunching(boolean enabled, boolean keepRelayed, Linker linker, Supplier<List<Listener>> listeners,
      ObservedAddresses observed, EventBus events, Function<Identity, Optional<LinkedPeer>> peers,
      Function<Stream, CompletableFuture<Void>> readiness, EventLoopGroup timers, NodeMetrics metrics) {
    this.enabled = enabled;
    this.keepRelayed = keepRelayed;
    this.linker = linker;
    this.listeners = listeners;
    this.observed = observed;
    this.events = events;
    this.peers = peers;
    this.readiness = readiness;
    this.timers = timers;
    this.metrics = metrics;
  }

  /** A stream this node dialled through a relay is up: punch once both ends have it. */
  void relayedStreamUp(Stream relayed) {
    if (enabled && relayed.transport() == Transport.RELAY && relayed.initiator()) {
      readiness.apply(relayed).thenRun(() -> initiate(relayed.remote()));
    }
  }

  /** Starts a punch with {@code peer} if it still has only relayed streams, this node's dialled. */
  private void initiate(Identity peer) {
    Optional<LinkedPeer> linked = peers.apply(peer).filter(LinkedPeer::linked);
    List<Stream> streams = linked.map(LinkedPeer::streams).orElse(List.of());
    boolean relayedOnly = !streams.isEmpty() && streams.stream().allMatch(s -> s.transport() == Transport.RELAY)
        && streams.stream().anyMatch(Stream::initiator);
    if (!relayedOnly || !admit(peer)) {
      return;
    }
    linked.get().mux().open(PunchMessage.SERVICE, new byte[0]).whenComplete((session, e) -> {
      if (e != null) {
        ended(peer, true, System.nanoTime(), Optional.empty(), 0, e);
      } else {
        punch(session, peer, true);
      }
    });
  }

  /** The responder's end: a peer opened a punch session. */
  @Override
  public void open(Session session, Identity peer) {
    if (!enabled) {
      session.reset("this node does not punch holes");
    } else if (!admit(peer)) {
      session.reset("a punch with this peer is running or began less than " + MIN_INTERVAL.toSeconds() + " s ago");
    } else {
      punch(session, peer, false);
    }
  }

  /** Takes the peer's one punch at a time, at most once per {@link #MIN_INTERVAL}. */
  private synchronized boolean admit(Identity peer) {
    long now = System.nanoTime();
    startedAt.values().removeIf(t -> now - t >= MIN_INTERVAL.toNanos());
    if (running.contains(peer) || startedAt.containsKey(peer)) {
      return false;
    }
    running.add(peer);
    startedAt.put(peer, now);
    return true;
  }

  private void punch(Session session, Identity peer, boolean initiator) {
    long start = System.nanoTime();
    long relayed = session.streamId();
    PunchMessage.Candidates mine;
    Optional<Listener> kcp = listeners.get().stream().filter(Listener::datagrams).findFirst();
    int dialPort;
    try {
      List<InetAddress> ips = observed.ips();
      dialPort = PunchCandidates.freePort();
      byte[] nonce = new byte[PunchMessage.NONCE_LENGTH];
      RANDOM.nextBytes(nonce);
      mine = new PunchMessage.Candidates(nonce,
          kcp.map(l -> PunchCandidates.of(ips, l.localAddress().getAddress(), l.localAddress().getPort()))
              .orElse(List.of()),
          PunchCandidates.of(ips, new InetSocketAddress(0).getAddress(), dialPort));
    } catch (RuntimeException e) {
      session.reset("cannot gather candidates: " + e.getMessage());
      ended(peer, initiator, start, Optional.empty(), relayed, e);
      return;
    }
    events.publish(new Event.HolePunchStarted(events.clock().instant(), peer, new StreamId(relayed).toString(),
        initiator ? "initiator" : "responder",
        java.util.stream.Stream.concat(mine.listen().stream(), mine.dial().stream()).map(HostPort::of)
            .map(HostPort::toString).toList()));
    HolePunch.run(session, peer, initiator, mine, dialPort, kcp, linker).outcome()
        .whenComplete((stream, e) -> ended(peer, initiator, start, stream == null ? Optional.empty() : stream,
            relayed, e));
  }

  private void ended(Identity peer, boolean initiator, long start, Optional<Stream> dialled, long relayed,
      Throwable error) {
    synchronized (this) {
      running.remove(peer);
    }
    metrics.holePunch(error == null);
    if (error == null) {
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      LOG.info("hole punch with {} succeeded in {} ms", peer.shortText(), millis);
      synchronized (this) {
        failures.remove(peer);
      }
      events.publish(new Event.HolePunchSucceeded(events.clock().instant(), peer, millis, dialled.isPresent()));
      dialled.ifPresent(direct -> moveSessions(peer, relayed, direct));
      return;
    }
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    Duration retry = Duration.ZERO;
    if (initiator) {
      int failed;
      synchronized (this) {
        failed = failures.merge(peer, 1, Integer::sum);
      }
      retry = FIRST_RETRY.multipliedBy(1L << Math.min(failed - 1, 10));
      retry = retry.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : retry;
      timers.schedule(() -> initiate(peer), retry.toMillis(), TimeUnit.MILLISECONDS);
    }
    LOG.info("hole punch with {} failed: {}", peer.shortText(), cause.getMessage());
    events.publish(new Event.HolePunchFailed(events.clock().instant(), peer, String.valueOf(cause.getMessage()),
        retry.toSeconds()));
  }

  /** Moves every session of the relayed stream to {@code direct}, then closes the relayed one unless kept. */
  private void moveSessions(Identity peer, long relayed, Stream direct) {
    peers.apply(peer).ifPresent(p -> readiness.apply(direct)
        .thenCompose(ready -> p.mux().migrateAll(relayed, direct.id().value()))
        .whenComplete((moved, e) -> {
          if (e != null) {
            LOG.info("sessions to {} stay on the relayed stream: {}", peer.shortText(), e.getMessage());
            return;
          }
          StreamId from = new StreamId(relayed);
          events.publish(new Event.SessionsMovedDirect(events.clock().instant(), peer, from.toString(),
              direct.id().toString(), moved, keepRelayed));
          if (!keepRelayed) {
            p.stream(from).ifPresent(s -> s.close("replaced by a direct stream"));
          }
        }));
  }
}
