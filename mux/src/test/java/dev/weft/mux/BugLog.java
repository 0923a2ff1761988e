package dev.weft.mux;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the log lines that mean a bug of ours, not a peer's fault: ERROR lines (the mux logs a
 * handler that threw as one) and Netty's report of a task or pipeline that threw. slf4j-simple
 * writes to whatever System.err is at the time, so a tee in front of it sees every line.
 */
final class BugLog {
  private static final AtomicLong COUNT = new AtomicLong();

  static {
    PrintStream err = System.err;
    System.setErr(new PrintStream(new OutputStream() {
      private final StringBuilder line = new StringBuilder();

      @Override
      public synchronized void write(int b) {
        err.write(b);
        if (b != '\n') {
          line.append((char) b);
          return;
        }
        String text = line.toString();
        line.setLength(0);
        if (text.contains(" ERROR ") || text.contains("A task raised an exception")
            || text.contains("exceptionCaught() event was fired")) {
          COUNT.incrementAndGet();
        }
      }
    }, true, StandardCharsets.UTF_8));
  }

  private BugLog() {}

  static long count() {
    return COUNT.get();
  }
}
