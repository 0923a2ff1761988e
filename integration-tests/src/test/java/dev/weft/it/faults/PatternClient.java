package dev.weft.it.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs inside a namespace: writes a known byte pattern through an echoing connection at a steady
 * pace and checks every byte that comes back, in order. Prints {@code progress N} as verified bytes
 * grow; when its stdin closes it half-closes, drains and prints {@code ok N}; any loss, duplicate,
 * reordering or early end prints {@code error at N: ...}. Usage: {@code PatternClient PORT}.
 */
public final class PatternClient {
  private static final int CHUNK = 16 * 1024;
  private static final long BYTES_PER_SECOND = 1L << 20;

  private PatternClient() {}

  static byte pattern(long offset) {
    return (byte) (offset * 31 + (offset >>> 11));
  }

  public static void main(String[] args) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", Integer.parseInt(args[0]))) {
      AtomicLong verified = new AtomicLong();
      Thread stdin = new Thread(PatternClient::awaitStdinClosed, "pattern-stdin");
      stdin.setDaemon(true);
      stdin.start();
      Thread writer = new Thread(() -> write(socket), "pattern-writer");
      writer.setDaemon(true);
      writer.start();
      Thread progress = new Thread(() -> report(verified), "pattern-progress");
      progress.setDaemon(true);
      progress.start();
      String outcome = verify(socket.getInputStream(), verified);
      System.out.println(outcome);
      System.out.flush();
    }
  }

  private static void write(Socket socket) {
    byte[] chunk = new byte[CHUNK];
    long offset = 0;
    long next = System.nanoTime();
    long pause = TimeUnit.SECONDS.toNanos(1) * CHUNK / BYTES_PER_SECOND;
    try {
      OutputStream out = socket.getOutputStream();
      while (!FINISHING.get()) {
        for (int i = 0; i < CHUNK; i++) {
          chunk[i] = pattern(offset + i);
        }
        out.write(chunk);
        offset += CHUNK;
        next += pause;
        LockSupport.parkNanos(next - System.nanoTime());
      }
      socket.shutdownOutput();
    } catch (IOException e) {
      // the reader reports how the connection ended
    }
  }

  /** Set once stdin has closed: the test asks the client to finish. */
  private static final AtomicBoolean FINISHING = new AtomicBoolean();

  private static void awaitStdinClosed() {
    try {
      System.in.transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      // closed either way
    }
    FINISHING.set(true);
  }

  private static String verify(InputStream in, AtomicLong verified) {
    byte[] buffer = new byte[CHUNK];
    long offset = 0;
    try {
      for (int n; (n = in.read(buffer)) != -1; ) {
        for (int i = 0; i < n; i++, offset++) {
          if (buffer[i] != pattern(offset)) {
            return "error at " + offset + ": wrong byte (lost, duplicated or reordered data)";
          }
        }
        verified.set(offset);
      }
    } catch (IOException e) {
      return "error at " + offset + ": " + e.getMessage();
    }
    return FINISHING.get() ? "ok " + offset : "error at " + offset + ": the connection ended early";
  }

  private static void report(AtomicLong verified) {
    long shown = -1;
    while (true) {
      long now = verified.get();
      if (now != shown) {
        System.out.println("progress " + now);
        System.out.flush();
        shown = now;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
    }
  }
}
