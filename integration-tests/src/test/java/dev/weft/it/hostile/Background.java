package dev.weft.it.hostile;

import dev.weft.mux.Session;
import dev.weft.mux.SessionHandler;
import dev.weft.mux.SessionResetException;
import dev.weft.node.Service;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A steady, paced transfer from one peer into a sink service on the node under test, checked byte
 * by byte against a known pattern: evidence that the node keeps serving its other peers while it
 * is being abused. Paced rather than flat out so that two shared cores still leave room for the
 * abuse itself.
 */
final class Background implements AutoCloseable {
  static final String SINK = "sink";
  private static final int CHUNK = 64 * 1024;

  private final long bytesPerSecond;
  private final AtomicLong verified = new AtomicLong();
  private final AtomicReference<String> failure = new AtomicReference<>();
  private volatile boolean stopping;
  private Thread writer;

  Background(long bytesPerSecond) {
    this.bytesPerSecond = bytesPerSecond;
  }

  /** The byte at {@code offset} of the stream. */
  static byte pattern(long offset) {
    return (byte) ((offset * 0x9E3779B1L) >>> 13);
  }

  /** The victim's sink: checks every byte in order and counts them; also usable for any session. */
  Service sink() {
    return (session, peer) -> session.handler(new Checker());
  }

  private final class Checker implements SessionHandler {
    private long offset;

    @Override
    public void onData(Session session, ByteBuf data) {
      try {
        // One bulk read: under the tests' PARANOID leak detection every single-byte access to a
        // pooled buffer records a stack trace, which made this checker the victim's hottest code.
        byte[] bytes = ByteBufUtil.getBytes(data);
        for (int i = 0; i < bytes.length; i++, offset++) {
          if (bytes[i] != pattern(offset)) {
            fail("byte " + offset + " of the background transfer is corrupt");
            session.reset("corrupt data");
            return;
          }
        }
        verified.addAndGet(data.readableBytes());
        signal();
      } finally {
        data.release();
      }
    }

    @Override
    public void onReset(Session session, SessionResetException cause) {
      if (!stopping) {
        fail("the background session was reset: " + cause.getMessage());
      }
    }
  }

  private void fail(String why) {
    failure.compareAndSet(null, why);
    signal();
  }

  private void signal() {
    synchronized (verified) {
      verified.notifyAll();
    }
  }

  /** Starts writing the pattern into {@code session} at the configured pace. */
  void start(Session session) {
    writer = new Thread(() -> write(session), "background-writer");
    writer.setDaemon(true);
    writer.start();
  }

  private void write(Session session) {
    byte[] chunk = new byte[CHUNK];
    long offset = 0;
    long nanosPerChunk = TimeUnit.SECONDS.toNanos(1) * CHUNK / bytesPerSecond;
    long next = System.nanoTime();
    try (OutputStream out = session.outputStream()) {
      while (!stopping) {
        for (int i = 0; i < CHUNK; i++) {
          chunk[i] = pattern(offset + i);
        }
        out.write(chunk);
        offset += CHUNK;
        next += nanosPerChunk;
        // Pacing, not synchronisation: the writer keeps a steady rate.
        LockSupport.parkNanos(next - System.nanoTime());
      }
    } catch (IOException e) {
      if (!stopping) {
        fail("the background writer failed: " + e);
      }
    }
  }

  long verified() {
    return verified.get();
  }

  /** Fails unless at least {@code bytes} more arrive intact within {@code within}. */
  void awaitProgress(long bytes, Duration within, String when) throws InterruptedException {
    long target = verified.get() + bytes;
    long deadline = System.nanoTime() + within.toNanos();
    synchronized (verified) {
      while (verified.get() < target && failure.get() == null) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("the background transfer stalled " + when + ": "
              + (bytes - (target - verified.get())) + " of " + bytes + " bytes in " + within);
        }
        TimeUnit.NANOSECONDS.timedWait(verified, left);
      }
    }
    if (failure.get() != null) {
      throw new AssertionError(failure.get() + " (" + when + ")");
    }
  }

  @Override
  public void close() throws InterruptedException {
    stopping = true;
    if (writer != null) {
      writer.join(TimeUnit.SECONDS.toMillis(10));
    }
  }
}
