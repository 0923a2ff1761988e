package dev.weft.mux;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;

/**
 * Blocking reads over a session. Holds at most about one window of delivered bytes: past that it
 * pauses the session, so the peer gets no credit until the reader catches up.
 */
final class SessionInputStream extends InputStream implements SessionHandler {
  private final Session session;
  /** About one receive window; set on the table's executor before the first byte arrives. */
  private int highWater = Integer.MAX_VALUE;
  private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
  private long buffered;
  private boolean paused;
  private boolean end;
  private boolean closed;
  private IOException failure;

  SessionInputStream(Session session) {
    this.session = session;
  }

  synchronized void highWater(int bytes) {
    highWater = bytes;
  }

  @Override
  public synchronized void onData(Session s, ByteBuf data) {
    if (closed) {
      data.release();
      return;
    }
    queue.add(data);
    buffered += data.readableBytes();
    if (buffered >= highWater && !paused) {
      paused = true;
      session.pause();
    }
    notifyAll();
  }

  @Override
  public synchronized void onEnd(Session s) {
    end = true;
    notifyAll();
  }

  @Override
  public synchronized void onReset(Session s, SessionResetException cause) {
    failure = cause;
    notifyAll();
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public synchronized int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (queue.isEmpty()) {
      if (closed) {
        throw new IOException("stream closed");
      }
      if (failure != null) {
        throw failure;
      }
      if (end) {
        return -1;
      }
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while reading session " + session.id());
      }
    }
    ByteBuf head = queue.peek();
    int n = Math.min(len, head.readableBytes());
    head.readBytes(b, off, n);
    if (!head.isReadable()) {
      queue.poll().release();
    }
    buffered -= n;
    if (paused && buffered <= highWater / 2) {
      paused = false;
      session.resume();
    }
    return n;
  }

  @Override
  public synchronized int available() {
    return (int) Math.min(Integer.MAX_VALUE, buffered);
  }

  /** Discards what is buffered; later data is dropped (and still credited, so the peer is not stalled). */
  @Override
  public synchronized void close() {
    closed = true;
    queue.forEach(ByteBuf::release);
    queue.clear();
    buffered = 0;
    if (paused) {
      paused = false;
      session.resume();
    }
    notifyAll();
  }
}
