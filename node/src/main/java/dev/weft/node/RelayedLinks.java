package dev.weft.node;

import dev.weft.identity.Identity;
import dev.weft.link.Endpoint;
import dev.weft.link.Linker;
import dev.weft.link.PipeAddresses;
import dev.weft.link.Stream;
import dev.weft.mux.Session;
import dev.weft.mux.SessionTable;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Links carried by a session through a relay, both ends: dialling a peer at a relayed endpoint
 * (CONNECT), and taking the relayed stream a relay announces (INCOMING). Either way an ordinary
 * link, handshake and all, runs over the session, so the peer is proven as on any stream.
 */
final class RelayedLinks {
  private static final Logger LOG = LoggerFactory.getLogger(RelayedLinks.class);

  private final Linker linker;
  /** The relay's session table, linked first at the given endpoint if need be. */
  private final BiFunction<Identity, Endpoint, CompletableFuture<SessionTable>> relayTable;
  /** The stream a session to a relay runs on, for the addresses a relayed stream shows. */
  private final BiFunction<Identity, Long, Optional<Stream>> streamOf;
  private final Function<Session, EventLoop> loopOf;
  /** Whether this node reserves at a relay: only those may announce relayed streams. */
  private final Predicate<Identity> reservesAt;
  private final ObservedAddresses observed;
  /**
   * Links being made, by peer and relay: a second dial while one is under way (the relinker and
   * an open after a relay restart) shares it rather than taking a second relayed stream, which a
   * relay's per-peer limit may refuse.
   */
  private final Map<Pair, CompletableFuture<Stream>> pending = new ConcurrentHashMap<>();

  private record Pair(Identity peer, Identity relay) {}

  RelayedLinks(Linker linker, BiFunction<Identity, Endpoint, CompletableFuture<SessionTable>> relayTable,
      BiFunction<Identity, Long, Optional<Stream>> streamOf, Function<Session, EventLoop> loopOf,
      Predicate<Identity> reservesAt, ObservedAddresses observed) {
    this.linker = linker;
    this.relayTable = relayTable;
    this.streamOf = streamOf;
    this.loopOf = loopOf;
    this.reservesAt = reservesAt;
    this.observed = observed;
  }

  /**
   * Links {@code peer} through the relay {@code endpoint} names, or shares the link to it through
   * that relay already being made. Each caller gets its own copy (it may time it out alone).
   */
  CompletableFuture<Stream> dial(Identity peer, Endpoint endpoint) {
    Pair pair = new Pair(peer, endpoint.relay());
    CompletableFuture<Stream> mine = new CompletableFuture<>();
    CompletableFuture<Stream> shared = pending.putIfAbsent(pair, mine);
    if (shared != null) {
      LOG.debug("a link to {} through {} is under way: sharing it", peer.shortText(), pair.relay().shortText());
      return shared.copy();
    }
    connect(peer, endpoint).whenComplete((stream, e) -> {
      pending.remove(pair, mine);
      if (e == null) {
        mine.complete(stream);
      } else {
        mine.completeExceptionally(e);
      }
    });
    return mine.copy();
  }

  private CompletableFuture<Stream> connect(Identity peer, Endpoint endpoint) {
    Identity relay = endpoint.relay();
    return relayTable.apply(relay, endpoint.hop())
        .thenCompose(table -> table.open(RelayRequest.SERVICE,
            new RelayRequest(RelayRequest.Kind.CONNECT, peer).encode()))
        .thenCompose(session -> RelayReplyReader.read(session, false)
            .thenCompose(ok -> {
              ok.observed().ifPresent(address -> observed.report(relay, address));
              return linker.dialCarried(peer, addresses(relay, session), loopOf.apply(session),
                  ch -> PipeBridge.join(ch, session));
            })
            .whenComplete((stream, e) -> {
              if (e != null) {
                session.reset("relayed link failed: " + e.getMessage());
              }
            }));
  }

  /** A relay announces a relayed stream from {@code source}: accept its link over {@code session}. */
  void incoming(Session session, Identity relay, Identity source) {
    if (!reservesAt.test(relay)) {
      session.reset("this node holds no reservation at " + relay.shortText());
      return;
    }
    LOG.debug("relayed link from {} through {}", source.shortText(), relay.shortText());
    linker.acceptCarried(addresses(relay, session), loopOf.apply(session), ch -> PipeBridge.join(ch, session))
        .exceptionally(e -> {
          session.reset("cannot take the relayed link: " + e.getMessage());
          return null;
        });
  }

  private PipeAddresses addresses(Identity relay, Session session) {
    // A session between streams (migrating) shows no address rather than a stale one.
    return streamOf.apply(relay, session.streamId())
        .map(carrier -> new PipeAddresses(carrier.localAddress(), carrier.remoteAddress()))
        .orElse(new PipeAddresses(new InetSocketAddress(0), new InetSocketAddress(0)));
  }
}
