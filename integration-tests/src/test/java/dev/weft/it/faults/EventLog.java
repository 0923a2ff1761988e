package dev.weft.it.faults;

import dev.weft.cli.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** {@code weft events --json} following a {@link NetnsNode} in its namespace: the events as JSON lines. */
final class EventLog implements AutoCloseable {
  private final Process process;
  private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private EventLog(Process process) {
    this.process = process;
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = out.readLine()) != null; ) {
          lines.add(line);
        }
      } catch (IOException ended) {
        // the CLI was stopped
      }
    }, "event-log");
    reader.setDaemon(true);
    reader.start();
  }

  static EventLog follow(NetnsNode node) throws IOException {
    return new EventLog(node.namespace.startJava(Main.class, "--data", node.data.toString(), "events", "--json"));
  }

  /**
   * The next event of {@code type} (its JSON line) that contains each of {@code fragments},
   * skipping others; fails after {@code limit}.
   */
  String await(String type, Duration limit, String... fragments) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    for (long left = limit.toNanos(); left > 0; left = deadline - System.nanoTime()) {
      String line = lines.poll(left, TimeUnit.NANOSECONDS);
      if (line != null && line.contains("\"type\":\"" + type + "\"") && Stream.of(fragments).allMatch(line::contains)) {
        return line;
      }
    }
    throw new AssertionError("no " + type + " event " + String.join(" ", fragments) + " within " + limit);
  }

  @Override
  public void close() {
    process.destroy();
  }
}
