package dev.weft.it.faults;

import dev.weft.it.netns.Namespace;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A {@link PatternClient} running in a namespace, as the test sees it: verified bytes and outcome. */
final class Transfer {
  private final Process process;
  private final Object changed = new Object();
  private final CompletableFuture<String> outcome = new CompletableFuture<>();
  private long verified;
  /** When {@link #verified} last grew, and the longest wait for it to grow since {@link #gapsFrom}. */
  private long lastProgress;
  private long longestGap;

  private Transfer(Process process) {
    this.process = process;
  }

  static Transfer start(Namespace namespace, int port) throws IOException {
    Transfer transfer = new Transfer(namespace.startJava(PatternClient.class, String.valueOf(port)));
    Thread reader = new Thread(transfer::read, "transfer-output");
    reader.setDaemon(true);
    reader.start();
    return transfer;
  }

  private void read() {
    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith("progress ")) {
          synchronized (changed) {
            verified = Long.parseLong(line.substring(9));
            long now = System.nanoTime();
            longestGap = Math.max(longestGap, now - lastProgress);
            lastProgress = now;
            changed.notifyAll();
          }
        } else if (line.startsWith("ok ") || line.startsWith("error ")) {
          outcome.complete(line);
        }
      }
    } catch (IOException | RuntimeException e) {
      outcome.complete("error: " + e);
    }
    outcome.complete("error: the client exited without a verdict");
    synchronized (changed) {
      changed.notifyAll();
    }
  }

  /** Fails unless {@code bytes} more arrive back intact within {@code within}. */
  void progresses(long bytes, Duration within, String when) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    synchronized (changed) {
      long target = verified + bytes;
      while (verified < target) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || outcome.isDone()) {
          throw new AssertionError("the session stalled " + when + " at " + verified + " bytes"
              + (outcome.isDone() ? ": " + outcome.getNow("") : ""));
        }
        TimeUnit.NANOSECONDS.timedWait(changed, left);
      }
    }
  }

  /**
   * Starts measuring the longest time the verified bytes stood still, from now (the client reports
   * them every 200 ms, so that is its resolution).
   */
  void gapsFrom() {
    synchronized (changed) {
      lastProgress = System.nanoTime();
      longestGap = 0;
    }
  }

  /** The longest time the verified bytes stood still since {@link #gapsFrom}, up to the last growth. */
  Duration longestGap() {
    synchronized (changed) {
      return Duration.ofNanos(longestGap);
    }
  }

  /** Asks the client to finish (closes its stdin) and returns its verdict. */
  String finish(Duration within) throws Exception {
    process.getOutputStream().close();
    return outcome.get(within.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The verdict of a client whose connection ends by itself. */
  String ended(Duration within) throws Exception {
    return outcome.get(within.toMillis(), TimeUnit.MILLISECONDS);
  }
}
