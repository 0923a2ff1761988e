package dev.weft.mux;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;

/** Checks every received byte against {@link Pattern}; {@link #done} completes with the count at end of input. */
final class PatternReader implements SessionHandler {
  final CompletableFuture<Long> done = new CompletableFuture<>();
  private final long seed;
  private volatile long received;
  private volatile long target = Long.MAX_VALUE;
  private volatile CompletableFuture<Void> progress = new CompletableFuture<>();

  PatternReader(long seed) {
    this.seed = seed;
  }

  long received() {
    return received;
  }

  /** Completes once {@code bytes} have arrived; one pending target at a time. */
  CompletableFuture<Void> reached(long bytes) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    progress = f;
    target = bytes;
    if (received >= bytes) {
      f.complete(null);
    }
    return f;
  }

  @Override
  public void onData(Session session, ByteBuf data) {
    try {
      int bad = Pattern.firstMismatch(seed, received, data);
      if (bad >= 0) {
        done.completeExceptionally(new AssertionError("wrong byte at offset " + (received + bad)));
        session.reset("corrupt data");
        return;
      }
      received += data.readableBytes();
      if (received >= target) {
        progress.complete(null);
      }
    } finally {
      data.release();
    }
  }

  @Override
  public void onEnd(Session session) {
    done.complete(received);
  }

  @Override
  public void onReset(Session session, SessionResetException cause) {
    done.completeExceptionally(cause);
  }
}
