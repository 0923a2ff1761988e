package dev.weft.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar redrawn in place on a terminal; elsewhere (pipes, logs) a plain line per
 * tenth of the way so output stays readable.
 */
final class Progress {
  private static final int WIDTH = 30;
  private final PrintWriter out;
  private final long total;
  private final boolean terminal = System.console() != null;
  private final long started = System.nanoTime();
  private long lastDraw;
  private int lastTenth = -1;

  Progress(PrintWriter out, long total) {
    this.out = out;
    this.total = total;
  }

  void show(long done, String where) {
    long now = System.nanoTime();
    int tenth = (int) (done * 10 / total);
    if (terminal ? now - lastDraw < 50_000_000L && done < total : tenth == lastTenth) {
      return;
    }
    lastDraw = now;
    lastTenth = tenth;
    int filled = (int) (done * WIDTH / total);
    double seconds = Math.max(1e-9, (now - started) / 1e9);
    String line = String.format(Locale.ROOT, "[%s%s] %3d%%  %9s / %s  %10s/s  on %s",
        "#".repeat(filled), ".".repeat(WIDTH - filled), done * 100 / total, Human.bytes(done),
        Human.bytes(total), Human.bytes((long) (done / seconds)), where);
    out.print(terminal ? "\r" + line : line + "\n");
    out.flush();
  }

  /** A message between bar updates, on its own line. */
  void note(String message) {
    out.print(terminal ? "\r\033[K  " + message + "\n" : "  " + message + "\n");
    out.flush();
  }

  void done() {
    if (terminal) {
      out.println();
    }
    out.flush();
  }
}
