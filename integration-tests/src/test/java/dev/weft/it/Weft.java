package dev.weft.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code weft} CLI in child JVMs, with this test's class path. */
final class Weft {
  private static final String JAVA = ProcessHandle.current().info().command().orElse("java");

  record Output(int code, String out, String err) {}

  private Weft() {}

  static ProcessBuilder builder(Path data, String... args) {
    List<String> command = new ArrayList<>(List.of(JAVA, "-cp", System.getProperty("java.class.path"),
        "dev.weft.cli.Main", "--data", data.toString()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command);
  }

  /** Runs one command to completion (at most a minute). */
  static Output run(Path data, String... args) throws Exception {
    return finish(builder(data, args).start(), null);
  }

  /** Runs one command with {@code stdin} as its input, closed afterwards. */
  static Output run(Path data, byte[] stdin, String... args) throws Exception {
    return finish(builder(data, args).start(), stdin);
  }

  private static Output finish(Process process, byte[] stdin) throws Exception {
    CompletableFuture<String> out = drain(process.getInputStream());
    CompletableFuture<String> err = drain(process.getErrorStream());
    try (var in = process.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin);
      }
    }
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("weft did not finish within a minute");
    }
    return new Output(process.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
  }

  private static CompletableFuture<String> drain(InputStream stream) {
    CompletableFuture<String> text = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try {
        text.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        text.complete("");
      }
    }, "weft-output");
    reader.setDaemon(true);
    reader.start();
    return text;
  }

  /** A {@code weft run} process, started and ready (its admin file written). */
  static final class RunningNode implements AutoCloseable {
    final Path data;
    final Process process;
    final List<String> lines = new ArrayList<>();
    String identity;
    int tcpPort;
    int kcpPort;

    RunningNode(Path data) throws Exception {
      this.data = data;
      if (!Files.exists(data.resolve("node.key"))) {
        Output init = run(data, "init");
        if (init.code() != 0) {
          throw new AssertionError("weft init failed: " + init.err());
        }
      }
      process = builder(data, "run", "--listen", "tcp:127.0.0.1:0", "--listen", "kcp:127.0.0.1:0",
          "--admin", "127.0.0.1:0").redirectError(ProcessBuilder.Redirect.INHERIT).start();
      BufferedReader out = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      String line;
      while ((line = out.readLine()) != null) {
        lines.add(line);
        if (line.startsWith("weft node ")) {
          identity = line.substring("weft node ".length());
        } else if (line.startsWith("listening on tcp:")) {
          tcpPort = port(line);
        } else if (line.startsWith("listening on kcp:")) {
          kcpPort = port(line);
        } else if (line.startsWith("admin API on ")) {
          break;
        }
        if (System.nanoTime() > deadline) {
          break;
        }
      }
      if (identity == null || tcpPort == 0 || !Files.exists(data.resolve("admin.json"))) {
        process.destroyForcibly();
        throw new AssertionError("weft run did not start: " + lines);
      }
      Thread drainer = new Thread(() -> {
        try {
          out.transferTo(java.io.Writer.nullWriter());
        } catch (IOException e) {
          // process ended
        }
      }, "weft-run-stdout");
      drainer.setDaemon(true);
      drainer.start();
    }

    private static int port(String line) {
      return Integer.parseInt(line.substring(line.lastIndexOf(':') + 1));
    }

    Output weft(String... args) throws Exception {
      return run(data, args);
    }

    /** SIGTERM and wait: the node stops gracefully and removes its admin file. */
    @Override
    public void close() throws Exception {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
