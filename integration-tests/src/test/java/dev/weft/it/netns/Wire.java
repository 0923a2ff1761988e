package dev.weft.it.netns;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The emulated cable between the two namespaces: bench/tools/wire.py carries IP packets between their
 * TUN devices and applies {@link Impairment}s. It stands in for veth + tc netem because the kernels
 * this project runs on are built without sch_netem. It exits by itself when its stdin closes, so a
 * JVM that dies unexpectedly does not leave it running.
 */
final class Wire implements AutoCloseable {
  private static final Path SCRIPT = Path.of("bench", "tools", "wire.py");
  private static final long REPLY_SECONDS = 10;

  private final Process process;
  private final PrintWriter commands;
  private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();

  private Wire(Process process) {
    this.process = process;
    this.commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
    Thread reader = new Thread(this::readReplies, "wire-replies");
    reader.setDaemon(true);
    reader.start();
  }

  /** The wire script in this checkout, found by walking up from the working directory. */
  static Optional<Path> script() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve(SCRIPT))) {
        return Optional.of(dir.resolve(SCRIPT));
      }
    }
    return Optional.empty();
  }

  static Wire connect(Path script, Namespace a, Namespace b) throws IOException {
    Process process = new ProcessBuilder("python3", script.toString(), a.name(), Namespace.DEVICE, b.name(),
        Namespace.DEVICE).redirectErrorStream(true).start();
    Wire wire = new Wire(process);
    try {
      wire.expect("ready");
    } catch (IOException e) {
      wire.close();
      throw e;
    }
    return wire;
  }

  /** Applies {@code impairment} to packets going one way ("a>b", "b>a") or "both". */
  void impair(String direction, Impairment impairment) throws IOException {
    commands.println("impair " + direction + " " + impairment.settings());
    expect("ok");
  }

  private void expect(String reply) throws IOException {
    String line;
    try {
      line = replies.poll(REPLY_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the wire", e);
    }
    if (line == null) {
      throw new IOException("the wire did not answer within " + REPLY_SECONDS + " s (alive: " + process.isAlive() + ")");
    }
    if (!line.equals(reply)) {
      throw new IOException("the wire answered: " + line);
    }
  }

  private void readReplies() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        replies.add(line);
      }
    } catch (IOException ended) {
      // the process is gone; expect() reports the silence
    }
  }

  @Override
  public void close() {
    commands.close();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
