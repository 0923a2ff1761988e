package dev.weft.node;

import dev.weft.identity.IdText;
import dev.weft.identity.Identity;
import dev.weft.link.Stream;
import dev.weft.link.StreamId;
import dev.weft.mux.Session;
import dev.weft.mux.SessionId;
import dev.weft.mux.SessionTable;
import dev.weft.mux.StreamStats;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One remote identity: its streams (any number, TCP and KCP together) and the mux session table
 * that spans them. The table outlives the streams, so sessions can fail over to a new one.
 * Embedders read it through {@link Node#peers()}; the node alone changes it.
 */
public final class LinkedPeer {
  private final Identity identity;
  private final SessionTable mux;
  private final Map<Long, Stream> streams = new ConcurrentHashMap<>();
  /** Completes when the mux on the other end has attached the stream too (its Hello arrived). */
  private final Map<Long, CompletableFuture<Void>> ready = new ConcurrentHashMap<>();
  private final CompletableFuture<Void> forgotten = new CompletableFuture<>();
  private volatile Instant linkedSince;
  /** A session's Resume went unanswered on every stream: they may be dead unnoticed (cleared by a new stream). */
  private volatile boolean stranded;
  /** Bytes of the streams that closed (guarded by this), so the peer's totals never go down. */
  private long closedBytesIn;
  private long closedBytesOut;

  LinkedPeer(Identity identity, SessionTable mux) {
    this.identity = identity;
    this.mux = mux;
  }

  public Identity identity() {
    return identity;
  }

  /** The live streams. */
  public List<Stream> streams() {
    return List.copyOf(streams.values());
  }

  public Optional<Stream> stream(StreamId id) {
    return Optional.ofNullable(streams.get(id.value()));
  }

  /** The session table's measurements of one stream (RTT, loss, sessions on it). */
  public Optional<StreamStats> stats(StreamId id) {
    return mux.streamStats(id.value());
  }

  /** The sessions, failing-over ones included. */
  public List<Session> sessions() {
    return mux.sessions();
  }

  public Optional<Session> session(SessionId id) {
    return mux.session(id);
  }

  /**
   * Sends a Ping on {@code stream} now; completes with the round trip when its Pong is back, and
   * fails if the stream is not live or closes first.
   */
  public CompletableFuture<Duration> ping(StreamId stream) {
    return mux.ping(stream.value());
  }

  public boolean linked() {
    return !streams.isEmpty();
  }

  /** When its first stream of this run came up; null while it has none. */
  public Instant linkedSince() {
    return linked() ? linkedSince : null;
  }

  SessionTable mux() {
    return mux;
  }

  boolean stranded() {
    return stranded;
  }

  void stranded(boolean now) {
    stranded = now;
  }

  /** Records a new stream; true if it is the peer's first. */
  synchronized boolean add(Stream stream, Instant now) {
    stranded = false;
    boolean first = streams.isEmpty();
    streams.put(stream.id().value(), stream);
    ready.put(stream.id().value(), new CompletableFuture<>());
    if (first) {
      linkedSince = now;
    }
    return first;
  }

  /** Forgets a closed stream; true if it was the peer's last. */
  synchronized boolean remove(Stream stream) {
    CompletableFuture<Void> waiting = ready.remove(stream.id().value());
    if (waiting != null && !waiting.isDone()) {
      waiting.completeExceptionally(closedBeforeReady(stream.id().value()));
    }
    if (streams.remove(stream.id().value()) == null) {
      return false;
    }
    closedBytesIn += stream.bytesIn();
    closedBytesOut += stream.bytesOut();
    return streams.isEmpty();
  }

  /** Bytes received from this peer on all its streams, closed ones included ({@link Stream#bytesIn()}). */
  public synchronized long bytesIn() {
    return closedBytesIn + streams.values().stream().mapToLong(Stream::bytesIn).sum();
  }

  /** Bytes sent to this peer on all its streams, closed ones included ({@link Stream#bytesOut()}). */
  public synchronized long bytesOut() {
    return closedBytesOut + streams.values().stream().mapToLong(Stream::bytesOut).sum();
  }

  /** Completes when the stream is ready at both ends; fails if it closed first. */
  CompletableFuture<Void> readiness(long streamId) {
    CompletableFuture<Void> waiting = ready.get(streamId);
    return waiting != null ? waiting : CompletableFuture.failedFuture(closedBeforeReady(streamId));
  }

  static IllegalStateException closedBeforeReady(long streamId) {
    return new IllegalStateException("stream " + IdText.of(streamId) + " closed before it was ready");
  }

  /** Nothing holds the entry: no stream here or in the session table, and no session at all. */
  boolean unused() {
    return streams.isEmpty() && mux.sessionCount() == 0 && mux.streams().isEmpty();
  }

  /** Completes once the node dropped this entry and closed its session table. */
  CompletableFuture<Void> forgotten() {
    return forgotten;
  }

  /**
   * Closes a stream of this peer that its session table finds dead (a Ping long unanswered) to
   * make room for a new one; false if there is none.
   */
  boolean displaceZombie() {
    Optional<Stream> zombie = Optional.ofNullable(streams.get(mux.zombieStream().orElse(0)));
    zombie.ifPresent(s -> s.close("displaced by a new stream: its pings went unanswered"));
    return zombie.isPresent();
  }

  int streamCount() {
    return streams.size();
  }

  int sessionCount() {
    return mux.sessionCount();
  }
}
