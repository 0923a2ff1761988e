package dev.weft.it.migration;

import dev.weft.mux.Direction;
import dev.weft.mux.Session;
import dev.weft.mux.SessionHandler;
import dev.weft.mux.SessionResetException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * One end of a checked, continuous, bidirectional flow through a session: it writes its own
 * pattern until stopped (then half-closes) and checks every byte the other end sends against the
 * other pattern, in order. Each direction's seed comes from the session id, so both ends agree
 * without talking. Runs on the session's executor (handler and write callbacks).
 */
final class FlowEnd implements SessionHandler {
  /** Bytes and CRC32C of one direction. */
  record Totals(long bytes, long crc) {}

  private static final int MAX_CHUNK = 32 * 1024;
  /** Holds writers back to their rate (the writes themselves still wait for credit). */
  private static final ScheduledExecutorService PACER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "flow-pacer");
    t.setDaemon(true);
    return t;
  });

  final Session session;
  /** Completes with what this end wrote once the peer consumed all of it. */
  final CompletableFuture<Totals> written = new CompletableFuture<>();
  /** Completes with what this end received when the peer's direction ends. */
  final CompletableFuture<Totals> received = new CompletableFuture<>();
  private final PatternBytes outgoing;
  private final PatternBytes expected;
  private final boolean stopWhenPeerStops;
  private final long bytesPerSecond;
  private long startedAt;
  private final CRC32C sentCrc = new CRC32C();
  private final CRC32C receivedCrc = new CRC32C();
  private final List<Waiter> waiters = new ArrayList<>();
  private volatile boolean stopping;
  private volatile long sent;
  private volatile long receivedBytes;

  private record Waiter(long bytes, CompletableFuture<Void> reached) {}

  /**
   * @param stopWhenPeerStops the serving end: it stops writing once the opener's data ends
   * @param bytesPerSecond this end's sending rate: steady data in flight without saturating a
   *     shared test machine
   */
  FlowEnd(Session session, boolean stopWhenPeerStops, long bytesPerSecond) {
    this.session = session;
    this.stopWhenPeerStops = stopWhenPeerStops;
    this.bytesPerSecond = bytesPerSecond;
    long id = session.id().value();
    boolean opener = session.direction() == Direction.OUTBOUND;
    this.outgoing = new PatternBytes(opener ? id : ~id);
    this.expected = new PatternBytes(opener ? ~id : id);
  }

  FlowEnd start() {
    session.handler(this);
    startedAt = System.nanoTime();
    // The first write goes from here, every later one from the previous one's completion.
    writeNext();
    return this;
  }

  /** Stops writing after the write in progress, then half-closes. */
  void stop() {
    stopping = true;
  }

  /** For failure messages: where the session is and how far each direction got. */
  @Override
  public String toString() {
    return session + " on stream " + dev.weft.identity.IdText.of(session.streamId()) + ", wrote " + sent
        + ", received " + receivedBytes + " (session in " + session.bytesIn() + ", out "
        + session.bytesOut() + ")";
  }

  long receivedBytes() {
    return receivedBytes;
  }

  /** Completes once at least {@code bytes} have arrived (in order and checked). */
  CompletableFuture<Void> reached(long bytes) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    synchronized (waiters) {
      if (receivedBytes >= bytes) {
        f.complete(null);
      } else {
        waiters.add(new Waiter(bytes, f));
      }
    }
    return f;
  }

  /** Completes once {@code bytes} more than now have arrived. */
  CompletableFuture<Void> advanced(long bytes) {
    return reached(receivedBytes + bytes);
  }

  private void writeNext() {
    if (stopping) {
      long bytes = sent;
      long crc = sentCrc.getValue();
      session.close().whenComplete((v, e) -> {
        if (e != null) {
          written.completeExceptionally(e);
        } else {
          written.complete(new Totals(bytes, crc));
        }
      });
      return;
    }
    byte[] chunk = outgoing.next(1 + ThreadLocalRandom.current().nextInt(MAX_CHUNK));
    sentCrc.update(chunk);
    sent += chunk.length;
    session.write(Unpooled.wrappedBuffer(chunk)).whenComplete((v, e) -> {
      long ahead = startedAt + sent * 1_000_000_000L / bytesPerSecond - System.nanoTime();
      if (e != null) {
        written.completeExceptionally(e);
      } else if (ahead > 0) {
        PACER.schedule(this::writeNext, ahead, TimeUnit.NANOSECONDS);
      } else {
        writeNext();
      }
    });
  }

  @Override
  public void onData(Session s, ByteBuf data) {
    try {
      byte[] bytes = new byte[data.readableBytes()];
      data.readBytes(bytes);
      byte[] want = expected.next(bytes.length);
      if (!Arrays.equals(bytes, want)) {
        int at = Arrays.mismatch(bytes, want);
        received.completeExceptionally(new AssertionError("session " + s.id()
            + ": wrong byte at offset " + (receivedBytes + at) + " (lost, duplicated or reordered data)"));
        s.reset("corrupt data");
        return;
      }
      receivedCrc.update(bytes);
      receivedBytes += bytes.length;
    } finally {
      data.release();
    }
    synchronized (waiters) {
      waiters.removeIf(w -> w.bytes() <= receivedBytes && w.reached().complete(null));
    }
  }

  @Override
  public void onEnd(Session s) {
    received.complete(new Totals(receivedBytes, receivedCrc.getValue()));
    if (stopWhenPeerStops) {
      stop();
    }
  }

  @Override
  public void onReset(Session s, SessionResetException cause) {
    received.completeExceptionally(cause);
    written.completeExceptionally(cause);
  }
}
