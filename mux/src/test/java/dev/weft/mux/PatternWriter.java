package dev.weft.mux;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes {@link Pattern} bytes to a session without blocking: each write is issued when the
 * previous one is accepted. Stops after {@code total} bytes (or on {@link #stop()}), then
 * half-closes; {@link #done} completes with the byte count once the peer consumed everything.
 */
final class PatternWriter {
  final CompletableFuture<Long> done = new CompletableFuture<>();
  private final Session session;
  private final long seed;
  private final long total;
  private final int maxChunk;
  private volatile boolean stopped;
  private long written;

  PatternWriter(Session session, long seed, long total, int maxChunk) {
    this.session = session;
    this.seed = seed;
    this.total = total;
    this.maxChunk = maxChunk;
  }

  PatternWriter start() {
    next();
    return this;
  }

  void stop() {
    stopped = true;
  }

  Session session() {
    return session;
  }

  long written() {
    return written;
  }

  private void next() {
    if (stopped || written >= total) {
      session.close().whenComplete((v, e) -> {
        if (e != null) {
          done.completeExceptionally(e);
        } else {
          done.complete(written);
        }
      });
      return;
    }
    int n = (int) Math.min(total - written, 1 + ThreadLocalRandom.current().nextInt(maxChunk));
    CompletableFuture<Void> accepted = session.write(Pattern.chunk(seed, written, n));
    written += n;
    accepted.whenComplete((v, e) -> {
      if (e != null) {
        done.completeExceptionally(e);
      } else {
        next();
      }
    });
  }
}
