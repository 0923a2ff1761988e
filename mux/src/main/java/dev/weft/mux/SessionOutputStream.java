package dev.weft.mux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Blocking writes over a session: each write waits until the session accepts it (backpressure). */
final class SessionOutputStream extends OutputStream {
  private static final int PIECE = 64 * 1024;

  private final Session session;
  private boolean closed;

  SessionOutputStream(Session session) {
    this.session = session;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (closed) {
      throw new IOException("output of session " + session.id() + " is closed");
    }
    for (int done = 0; done < len; ) {
      int n = Math.min(PIECE, len - done);
      ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer(n).writeBytes(b, off + done, n);
      await(session.write(buf));
      done += n;
    }
  }

  /** Half-closes the session and waits until the peer has consumed everything. */
  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      await(session.close());
    }
  }

  private void await(Future<Void> future) throws IOException {
    try {
      future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing session " + session.id());
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause().getMessage(), e.getCause());
    }
  }
}
