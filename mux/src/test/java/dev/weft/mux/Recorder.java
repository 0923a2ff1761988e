package dev.weft.mux;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Listener that records events and exposes futures to wait on them. */
final class Recorder implements PeerListener {
  final List<String> events = new CopyOnWriteArrayList<>();
  private final Map<Long, CompletableFuture<StreamStats>> attached = new ConcurrentHashMap<>();
  private final Map<Long, CompletableFuture<String>> detached = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Void>> seen = new ConcurrentHashMap<>();

  CompletableFuture<StreamStats> attached(long stream) {
    return attached.computeIfAbsent(stream, k -> new CompletableFuture<>());
  }

  CompletableFuture<String> detached(long stream) {
    return detached.computeIfAbsent(stream, k -> new CompletableFuture<>());
  }

  /** Completes when an event starting with {@code prefix} has been recorded. */
  CompletableFuture<Void> seen(String prefix) {
    CompletableFuture<Void> f = seen.computeIfAbsent(prefix, k -> new CompletableFuture<>());
    if (events.stream().anyMatch(e -> e.startsWith(prefix))) {
      f.complete(null);
    }
    return f;
  }

  private void record(String event) {
    events.add(event);
    seen.forEach((prefix, f) -> {
      if (event.startsWith(prefix)) {
        f.complete(null);
      }
    });
  }

  @Override
  public void streamAttached(StreamStats stream) {
    record("attached " + dev.weft.identity.IdText.of(stream.id()));
    attached(stream.id()).complete(stream);
  }

  @Override
  public void streamDetached(long streamId, String reason) {
    record("detached " + reason);
    detached(streamId).complete(reason);
  }

  @Override
  public void streamSuspicion(StreamStats stream, Duration silence) {
    record((stream.suspect() ? "suspect " : "answered ") + dev.weft.identity.IdText.of(stream.id()));
  }

  @Override
  public void sessionOpened(Session session) {
    record("opened " + session.id());
  }

  @Override
  public void sessionRejected(SessionId id, String service, Reason reason, Direction direction) {
    record("rejected " + reason);
  }

  @Override
  public void sessionReset(Session session, SessionResetException cause) {
    record("reset " + cause.reason() + " " + session.id());
  }

  @Override
  public void sessionClosed(Session session) {
    record("closed " + session.id());
  }

  @Override
  public void migrationDone(Session session, long fromStream, long toStream, Duration pause) {
    record("migrated " + session.id());
  }

  @Override
  public void migrationFailed(Session session, long fromStream, long toStream, String why) {
    record("migration failed " + why);
  }

  @Override
  public void failoverStarted(Session session, long fromStream, String why) {
    record("failover started " + session.id());
  }

  @Override
  public void failoverDone(Session session, long toStream, Duration took) {
    record("failover done " + session.id());
  }
}
