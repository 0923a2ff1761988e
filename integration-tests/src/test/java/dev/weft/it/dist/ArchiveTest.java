package dev.weft.it.dist;

import static dev.weft.it.dist.Dist.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The self-contained archive on a machine without a JDK: unpacked into a temporary directory and
 * run with only a few shell tools on PATH (no java) and JAVA_HOME unset.
 */
@Timeout(180)
class ArchiveTest {
  /** What bin/weft itself calls; nothing else of the machine is on PATH. */
  private static final List<String> TOOLS = List.of("readlink", "dirname", "cat", "sed", "mv", "rm");

  @TempDir
  Path tmp;

  @Test
  void initRunStatusAndStopWithTheBundledRuntimeOnly() throws Exception {
    Path archive = Dist.archive();
    Path unpacked = Files.createDirectory(tmp.resolve("unpacked"));
    ok(Dist.run(Map.of("PATH", "/usr/bin:/bin"),
        List.of("tar", "-xzf", archive.toString(), "-C", unpacked.toString())));
    String name = archive.getFileName().toString().replace(".tar.gz", "");
    Path weft = unpacked.resolve(name).resolve("bin/weft");
    Path data = tmp.resolve("data");
    Map<String, String> env = noJdkEnvironment();

    String identity = ok(Dist.run(env, weft(weft, data, "init"))).out().trim();
    assertTrue(identity.matches("[0-9a-f]{64}"), identity);
    Path home = unpacked.resolve(name);
    assertTrue(Files.isRegularFile(home.resolve("lib/weft.jsa")),
        "the first run makes the class-data-sharing archive for this path");
    Map<String, String> cdsRequired = new HashMap<>(env);
    cdsRequired.put("WEFT_JAVA_OPTS", "-Xshare:on");
    assertTrue(ok(Dist.run(cdsRequired, weft(weft, data, "--version"))).out().startsWith("weft "),
        "-Xshare:on fails if the archive cannot be used");

    Process node = start(env, weft(weft, data, "run", "--listen", "tcp:127.0.0.1:0",
        "--listen", "kcp:127.0.0.1:0", "--admin", "127.0.0.1:0", "--metrics", "0"));
    try {
      List<String> lines = awaitStarted(node);
      assertEquals("weft node " + identity, lines.get(0));
      String status = ok(Dist.run(env, weft(weft, data, "status"))).out();
      assertTrue(status.contains(identity), status);
      assertMetricsServed(lines, identity);
      node.destroy();  // SIGTERM: weft run stops gracefully
      assertTrue(node.waitFor(30, TimeUnit.SECONDS), "weft run did not stop on SIGTERM");
      assertEquals(143, node.exitValue(), "exit status after SIGTERM");
      assertFalse(Files.exists(data.resolve("admin.json")), "a clean stop removes the admin file");
    } finally {
      node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** The trimmed runtime has what the JVM collectors need: the scrape has them and the node's own. */
  private static void assertMetricsServed(List<String> lines, String identity) throws Exception {
    String prefix = "metrics on ";
    URI uri = URI.create(lines.stream().filter(l -> l.startsWith(prefix)).findFirst()
        .orElseThrow(() -> new AssertionError("no metrics address in " + lines)).substring(prefix.length()));
    HttpResponse<String> scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri)
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, scrape.statusCode(), scrape.body());
    for (String expected : List.of("weft_node_info{identity=\"" + identity + "\"", "jvm_memory_used_bytes{",
        "jvm_buffer_pool_used_bytes{", "process_open_fds ", "netty_allocator_used_bytes{")) {
      assertTrue(scrape.body().contains(expected), expected + " missing from:\n" + scrape.body());
    }
  }

  /** A PATH of links to {@link #TOOLS} only, so no java can be found; JAVA_HOME unset. */
  private Map<String, String> noJdkEnvironment() throws Exception {
    Path bin = Files.createDirectory(tmp.resolve("bin"));
    for (String tool : TOOLS) {
      Path target = Path.of("/usr/bin", tool);
      Files.createSymbolicLink(bin.resolve(tool), Files.exists(target) ? target : Path.of("/bin", tool));
    }
    assertFalse(Files.exists(bin.resolve("java")));
    return Map.of("PATH", bin.toString(), "HOME", tmp.toString(), "LANG", "C.UTF-8");
  }

  private static List<String> weft(Path weft, Path data, String... args) {
    List<String> command = new ArrayList<>(List.of(weft.toString(), "--data", data.toString()));
    command.addAll(List.of(args));
    return command;
  }

  private static Process start(Map<String, String> env, List<String> command) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().clear();
    builder.environment().putAll(env);
    return builder.start();
  }

  /** The lines weft run prints up to "admin API on ..." (it then is ready), within 60 s. */
  private static List<String> awaitStarted(Process node) throws Exception {
    BufferedReader out = new BufferedReader(
        new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
    List<String> lines = new ArrayList<>();
    Thread reader = new Thread(() -> {
      try {
        for (String line; (line = out.readLine()) != null; ) {
          synchronized (lines) {
            lines.add(line);
            lines.notifyAll();
          }
        }
      } catch (java.io.IOException e) {
        // the process ended
      }
    }, "weft-run-stdout");
    reader.setDaemon(true);
    reader.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    synchronized (lines) {
      while (lines.stream().noneMatch(l -> l.startsWith("admin API on "))) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !node.isAlive()) {
          throw new AssertionError("weft run did not start: " + lines);
        }
        lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, 100_000_000))));
      }
      return List.copyOf(lines);
    }
  }
}
