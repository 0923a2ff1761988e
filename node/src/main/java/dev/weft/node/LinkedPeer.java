package dev.weft.node;

import dev.weft.identity.Identity;
import dev.weft.link.Stream;
import dev.weft.mux.Peer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One remote identity: its streams (any number, TCP and KCP together) and the mux session table
 * that spans them. The table outlives the streams, so sessions can fail over to a new one.
 */
final class LinkedPeer {
  private final Identity identity;
  private final Peer mux;
  private final Map<Long, Stream> streams = new ConcurrentHashMap<>();
  /** Completes when the mux on the other end has attached the stream too (its Hello arrived). */
  private final Map<Long, CompletableFuture<Void>> ready = new ConcurrentHashMap<>();
  private volatile Instant linkedSince;

  LinkedPeer(Identity identity, Peer mux) {
    this.identity = identity;
    this.mux = mux;
  }

  Identity identity() {
    return identity;
  }

  Peer mux() {
    return mux;
  }

  /** Records a new stream; true if it is the peer's first. */
  synchronized boolean add(Stream stream, Instant now) {
    boolean first = streams.isEmpty();
    streams.put(stream.id().value(), stream);
    if (first) {
      linkedSince = now;
    }
    return first;
  }

  /** Forgets a closed stream; true if it was the peer's last. */
  synchronized boolean remove(Stream stream) {
    ready.remove(stream.id().value());
    return streams.remove(stream.id().value()) != null && streams.isEmpty();
  }

  CompletableFuture<Void> readiness(long streamId) {
    return ready.computeIfAbsent(streamId, id -> new CompletableFuture<>());
  }

  List<Stream> streams() {
    return List.copyOf(streams.values());
  }

  Stream stream(long id) {
    return streams.get(id);
  }

  boolean linked() {
    return !streams.isEmpty();
  }

  Instant linkedSince() {
    return linked() ? linkedSince : null;
  }
}
