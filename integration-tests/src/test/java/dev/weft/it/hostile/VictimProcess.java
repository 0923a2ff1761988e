package dev.weft.it.hostile;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.identity.Identity;
import dev.weft.link.Endpoint;
import dev.weft.link.Transport;
import dev.weft.node.Json;
import dev.weft.node.admin.AdminAccess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A {@link VictimMain} in a child JVM, and what the test can see of it from outside: its
 * threads and descriptors from /proc, its memory as it reports it, its log lines, its admin API.
 * The child stops when its stdin closes, so it ends with this test JVM whatever happens.
 */
final class VictimProcess implements Target, AutoCloseable {
  private static final String JAVA = ProcessHandle.current().info().command().orElse("java");
  /**
   * The heap is fixed and touched at start, so RSS growth is never the heap expanding; serial GC
   * and one compiler tier keep the child's own threads and CPU few on a shared machine.
   */
  private static final List<String> JVM = List.of("-Xms160m", "-Xmx160m", "-XX:+AlwaysPreTouch",
      "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=info");

  /** What the victim reports of its memory, in bytes (see {@link VictimUsage}). */
  record Usage(long heapAfterGc, long offHeap, long peakOffHeap, long rss, long peakRss) {}

  private final Process process;
  private final Path dataDir;
  private final PrintStream commands;
  private final BufferedReader replies;
  private final List<String> log = new ArrayList<>();
  private final Identity identity;
  private final Map<Transport, Integer> ports;
  private final AttackerLoops attackerLoops = new AttackerLoops();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private VictimProcess(Process process, BufferedReader replies, Path dataDir, Identity identity,
      Map<Transport, Integer> ports) {
    this.process = process;
    this.replies = replies;
    this.dataDir = dataDir;
    this.identity = identity;
    this.ports = ports;
    commands = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
    Thread logReader = new Thread(this::readLog, "victim-log");
    logReader.setDaemon(true);
    logReader.start();
  }

  /** Starts the child and waits (at most a minute) until it listens. */
  static VictimProcess start(Path dir) throws Exception {
    Path data = dir.resolve("victim");
    List<String> command = new ArrayList<>(List.of(JAVA));
    command.addAll(JVM);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), VictimMain.class.getName(), data.toString()));
    Process process = new ProcessBuilder(command).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      Map<Transport, Integer> ports = new EnumMap<>(Transport.class);
      String identity = CompletableFuture.supplyAsync(() -> readStart(out, ports)).get(60, TimeUnit.SECONDS);
      return new VictimProcess(process, out, data, Identity.parse(identity), ports);
    } catch (Exception | AssertionError e) {
      process.destroyForcibly();
      throw e;
    }
  }

  private static String readStart(BufferedReader out, Map<Transport, Integer> ports) {
    String identity = null;
    try {
      for (String line; (line = out.readLine()) != null && !line.equals("ready"); ) {
        String[] words = line.split(" ");
        if (words[0].equals("identity")) {
          identity = words[1];
        } else if (words[0].equals("listening")) {
          ports.put(Transport.valueOf(words[1]), Integer.parseInt(words[2]));
        }
      }
    } catch (IOException e) {
      throw new AssertionError("the victim did not start", e);
    }
    if (identity == null || ports.size() != 2) {
      throw new AssertionError("the victim did not start: " + identity + " " + ports);
    }
    return identity;
  }

  private void readLog() {
    try (BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = err.readLine()) != null; ) {
        synchronized (log) {
          log.add(line);
        }
      }
    } catch (IOException ended) {
      // the victim stopped
    }
  }

  @Override
  public Endpoint endpoint(Transport transport) {
    return new Endpoint(transport, "127.0.0.1", ports.get(transport));
  }

  @Override
  public Identity identity() {
    return identity;
  }

  @Override
  public AttackerLoops attackerLoops() {
    return attackerLoops;
  }

  private synchronized String command(String command) throws IOException {
    commands.println(command);
    String reply = replies.readLine();
    if (reply == null) {
      throw new IOException("the victim exited (" + command + ")");
    }
    return reply;
  }

  /** Starts the victim's memory peaks anew. */
  void mark() throws IOException {
    command("mark");
  }

  Usage usage() throws IOException {
    Map<String, Long> values = new HashMap<>();
    for (String pair : command("usage").substring("usage ".length()).split(" ")) {
      String[] kv = pair.split("=");
      values.put(kv[0], Long.parseLong(kv[1]));
    }
    return new Usage(values.get("heap"), values.get("offHeap"), values.get("peakOffHeap"), values.get("rss"),
        values.get("peakRss"));
  }

  /** The victim's live threads, as the kernel counts them. */
  long threads() throws IOException {
    return Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status")).stream()
        .filter(l -> l.startsWith("Threads:")).mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")))
        .findFirst().orElseThrow();
  }

  /** The victim's open file descriptors (sockets included). */
  long descriptors() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
      return fds.count();
    }
  }

  /** How many lines the victim has logged so far. */
  int logLines() {
    synchronized (log) {
      return log.size();
    }
  }

  /** The lines logged since the first {@code from} lines. */
  List<String> logSince(int from) {
    synchronized (log) {
      return List.copyOf(log.subList(from, log.size()));
    }
  }

  /** {@code GET /sessions} of the victim's admin API. */
  JsonNode sessions() throws Exception {
    AdminAccess admin = AdminAccess.read(dataDir).orElseThrow();
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(admin.baseUri() + "/sessions"))
        .header("Authorization", "Bearer " + admin.token()).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new AssertionError("GET /sessions: " + response.statusCode() + " " + response.body());
    }
    return Json.mapper().readTree(response.body());
  }

  @Override
  public void close() throws Exception {
    commands.close();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } finally {
      attackerLoops.close();
    }
  }
}
