package dev.weft.it.faults;

import dev.weft.cli.Main;
import dev.weft.it.netns.Command;
import dev.weft.it.netns.Namespace;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A {@code weft run} process inside a namespace, and the {@code weft} CLI run beside it (the admin
 * API listens on the namespace's own loopback).
 */
final class NetnsNode {
  private static final Duration CLI_LIMIT = Duration.ofSeconds(60);

  final Namespace namespace;
  final Path data;
  private final List<String> listen;
  private final List<String> options = new ArrayList<>();
  private Process process;
  String identity;

  NetnsNode(Namespace namespace, Path data, String... listen) {
    this.namespace = namespace;
    this.data = data;
    this.listen = List.of(listen);
  }

  /** More {@code weft run} options for every start from now on, e.g. {@code --relay}. */
  NetnsNode withOptions(String... more) {
    options.addAll(List.of(more));
    return this;
  }

  /** Starts (or restarts) the node and waits until its admin API is up. */
  NetnsNode start() throws Exception {
    if (identity == null) {
      cli("init");
    }
    List<String> args = new ArrayList<>(List.of("--data", data.toString(), "run", "--admin", "127.0.0.1:0"));
    listen.forEach(l -> args.addAll(List.of("--listen", l)));
    args.addAll(options);
    process = namespace.startJava(Main.class, args.toArray(String[]::new));
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String started = CompletableFuture.supplyAsync(() -> {
      try {
        for (String line; (line = out.readLine()) != null; ) {
          if (line.startsWith("weft node ")) {
            identity = line.substring("weft node ".length()).trim();
          } else if (line.startsWith("admin API on ")) {
            return line;
          }
        }
        return "exited";
      } catch (IOException e) {
        return e.toString();
      }
    }).get(60, TimeUnit.SECONDS);
    if (!started.startsWith("admin API on ")) {
      throw new AssertionError("weft run did not start in " + namespace + ": " + started);
    }
    Thread drain = new Thread(() -> {
      try {
        out.transferTo(java.io.Writer.nullWriter());
      } catch (IOException ended) {
        // the node stopped
      }
    }, "netns-node-out");
    drain.setDaemon(true);
    drain.start();
    return this;
  }

  /** Ends the node at once, as a crash would: SIGKILL, no graceful stop. */
  void kill() throws Exception {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** Runs {@code weft ARGS} against this node; fails unless it exits 0. Returns its output. */
  String cli(String... args) throws IOException {
    Command.Result result = namespace.run(CLI_LIMIT, Stream.concat(Stream.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), Main.class.getName(), "--data", data.toString()),
        Stream.of(args)).toArray(String[]::new));
    if (!result.ok()) {
      throw new AssertionError("weft " + String.join(" ", args) + " failed in " + namespace + ": "
          + result.output());
    }
    return result.output().trim();
  }

  /**
   * Runs {@code weft ARGS} every 200 ms until its output passes {@code wanted}, for at most a
   * minute; returns that output, or fails with the last one.
   */
  String awaitCli(Predicate<String> wanted, String... args) throws Exception {
    long deadline = System.nanoTime() + CLI_LIMIT.toNanos();
    String output = cli(args);
    while (!wanted.test(output)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("weft " + String.join(" ", args) + " in " + namespace + " did not show what was "
            + "awaited within " + CLI_LIMIT + ": " + output);
      }
      TimeUnit.MILLISECONDS.sleep(200);
      output = cli(args);
    }
    return output;
  }

  /** Waits until the status shows {@code used} for the limit named {@code name}. */
  void awaitLimit(String name, int used) throws Exception {
    Pattern wanted = Pattern.compile("\"name\"\\s*:\\s*\"" + name + "\"\\s*,\\s*\"used\"\\s*:\\s*" + used + "\\b");
    awaitCli(status -> wanted.matcher(status).find(), "status", "--json");
  }

  /** Waits until the status shows {@code wanted}; returns that status. */
  String awaitStatus(String wanted) throws Exception {
    return awaitCli(status -> status.contains(wanted), "status");
  }
}
