package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.identity.NodeKey;
import dev.weft.node.Json;
import dev.weft.node.admin.AdminAccess;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real {@code weft run} processes on loopback, driven through the CLI and the admin API as an
 * operator would: A links B by identity, B exposes an echo service, A forwards a port to it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class CliTest {
  @TempDir
  static Path dirs;
  Weft.RunningNode a;
  Weft.RunningNode b;
  EchoServer echo;
  int forwardPort;

  @BeforeAll
  void startNodes() throws Exception {
    a = new Weft.RunningNode(dirs.resolve("a"));
    b = new Weft.RunningNode(dirs.resolve("b"));
    echo = new EchoServer();
    ok(a.weft("alias", "set", "bob", b.identity));
    String stream = ok(a.weft("link", "bob", "tcp:127.0.0.1:" + b.tcpPort)).out().trim();
    assertTrue(stream.matches("[0-9a-f]{16}"), stream);
    ok(a.weft("link", "bob", "kcp:127.0.0.1:" + b.kcpPort));
    ok(b.weft("expose", "echo", "--to", "127.0.0.1:" + echo.port(), "--allow", a.identity));
    try (ServerSocket free = new ServerSocket(0)) {
      forwardPort = free.getLocalPort();
    }
    assertEquals("127.0.0.1:" + forwardPort,
        ok(a.weft("forward", String.valueOf(forwardPort), "bob", "echo")).out().trim());
  }

  @AfterAll
  void stopNodes() throws Exception {
    for (AutoCloseable running : new AutoCloseable[] {a, b, echo}) {
      if (running != null) {
        running.close();
      }
    }
  }

  private static Weft.Output ok(Weft.Output result) {
    assertEquals(0, result.code(), "stdout: " + result.out() + "\nstderr: " + result.err());
    return result;
  }

  private static void failsWith(Weft.Output result, String text) {
    assertEquals(1, result.code(), result.out());
    assertTrue(result.err().startsWith("weft: ") && result.err().contains(text), result.err());
    assertEquals(1, result.err().lines().count(), result.err());
  }

  @Test
  void streamsAndPeersShowBothTransportsByAlias() throws Exception {
    String streams = ok(a.weft("streams")).out();
    assertTrue(streams.contains(" tcp ") && streams.contains(" kcp "), streams);
    assertTrue(streams.lines().skip(1).allMatch(l -> l.contains(" bob ")), streams);
    JsonNode peers = Json.mapper().readTree(ok(a.weft("peers", "--json")).out());
    assertEquals(b.identity, peers.get(0).get("peer").asText());
    assertEquals(2, peers.get(0).get("streams").asInt());
  }

  @Test
  void linkingAnEndpointWhoseKeyIsNotThePeersIsRefused() throws Exception {
    String stranger = NodeKey.generate().identity().toString();
    failsWith(a.weft("link", stranger, "tcp:127.0.0.1:" + b.tcpPort), b.identity.substring(0, 8));
  }

  @Test
  void sixtyFourMebibytesThroughAForwardComeBackIdentical() throws Exception {
    EchoTransfer.Checksums sums = EchoTransfer.echo(forwardPort, 64L << 20, 1);
    assertEquals(64L << 20, sums.bytesBack());
    assertEquals(sums.sent(), sums.received());
  }

  @Test
  void twoHundredParallelForwardedConnections() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(200);
    try {
      List<Future<EchoTransfer.Checksums>> transfers = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        long seed = i;
        transfers.add(pool.submit(() -> EchoTransfer.echo(forwardPort, 32 * 1024, seed)));
      }
      for (Future<EchoTransfer.Checksums> t : transfers) {
        EchoTransfer.Checksums sums = t.get(90, TimeUnit.SECONDS);
        assertEquals(32 * 1024, sums.bytesBack());
        assertEquals(sums.sent(), sums.received());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aLiveForwardedSessionMigratesAndDrainsWithoutLoss() throws Exception {
    List<String> earlier = echoSessions().stream().map(s -> s.get("id").asText()).toList();
    try (Socket socket = new Socket("127.0.0.1", forwardPort)) {
      socket.setSoTimeout(30_000);
      echoes(socket, "before");
      String id = newSession(earlier).get("id").asText();
      // A stream of its own to move to, so the test does not hang on one an earlier test left.
      String to = ok(a.weft("link", "bob", "kcp:127.0.0.1:" + b.kcpPort)).out().trim();
      assertEquals(id + " now on " + to, ok(a.weft("migrate", id, to)).out().trim());
      echoes(socket, "after a migration");
      assertEquals(1, newSession(earlier).get("migrations").asInt());

      String moved = ok(a.weft("link", "bob", "tcp:127.0.0.1:" + b.tcpPort)).out().trim();
      ok(a.weft("unlink", to, "--drain"));
      echoes(socket, "after draining its stream");
      assertFalse(ok(a.weft("streams")).out().contains(to));
      assertTrue(ok(a.weft("streams")).out().contains(moved));
    }
  }

  @Test
  void migrateAllSaysHowManySessionsItMovedAndIdsMayBeUppercase() throws Exception {
    List<String> earlier = new ArrayList<>(echoSessions().stream().map(s -> s.get("id").asText()).toList());
    String from = null;
    String to = null;
    try (Socket first = new Socket("127.0.0.1", forwardPort)) {
      first.setSoTimeout(30_000);
      echoes(first, "one");
      String one = newSession(earlier).get("id").asText();
      earlier.add(one);
      // The forward opens a session per connection as it accepts it: one at a time, to tell them apart.
      try (Socket second = new Socket("127.0.0.1", forwardPort)) {
        second.setSoTimeout(30_000);
        echoes(second, "two");
        String two = newSession(earlier).get("id").asText();
        from = ok(a.weft("link", "bob", "kcp:127.0.0.1:" + b.kcpPort)).out().trim();
        to = ok(a.weft("link", "bob", "tcp:127.0.0.1:" + b.tcpPort)).out().trim();
        migrateBothWays(one, two, from, to);
        echoes(first, "after the moves");
        echoes(second, "after the moves");
      }
    } finally {
      // Other tests count this peer's streams.
      for (String stream : new String[] {from, to}) {
        if (stream != null) {
          ok(a.weft("unlink", stream));
        }
      }
    }
  }

  /** Moves {@code one} to {@code from}, {@code two} to {@code to}, then every session each way. */
  private void migrateBothWays(String one, String two, String from, String to) throws Exception {
    // Ids in uppercase on the command line; the answer writes them as the node does.
    assertEquals(one + " now on " + from,
        ok(a.weft("migrate", one.toUpperCase(Locale.ROOT), from.toUpperCase(Locale.ROOT))).out().trim());
    assertEquals(two + " now on " + to, ok(a.weft("migrate", two, to)).out().trim());
    // Only the session on `from` moves: the one already on `to` is not counted.
    assertEquals("moved 1 session(s) to " + to, ok(a.weft("migrate", "--all",
        "--from", from.toUpperCase(Locale.ROOT), "--to", to.toUpperCase(Locale.ROOT))).out().trim());
    // Both back through the admin API, uppercase ids there too.
    HttpResponse<String> back = adminPost("/streams/" + to.toUpperCase(Locale.ROOT) + "/migrate",
        "{\"to\": \"" + from.toUpperCase(Locale.ROOT) + "\"}");
    assertEquals(200, back.statusCode(), back.body());
    assertEquals(2, Json.mapper().readTree(back.body()).path("moved").asInt(), back.body());
    HttpResponse<String> moved = adminPost("/sessions/" + two.toUpperCase(Locale.ROOT) + "/migrate",
        "{\"stream\": \"" + to.toUpperCase(Locale.ROOT) + "\"}");
    assertEquals(200, moved.statusCode(), moved.body());
    JsonNode session = Json.mapper().readTree(moved.body());
    assertEquals(two, session.get("id").asText());
    assertEquals(to, session.get("stream").asText());
  }

  private HttpResponse<String> adminPost(String path, String body) throws Exception {
    AdminAccess access = AdminAccess.read(a.data).orElseThrow();
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(access.baseUri() + path))
        .header("Authorization", "Bearer " + access.token())
        .header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void echoes(Socket socket, String text) throws Exception {
    byte[] line = (text + "\n").getBytes(StandardCharsets.UTF_8);
    socket.getOutputStream().write(line);
    assertEquals(text + "\n", new String(socket.getInputStream().readNBytes(line.length),
        StandardCharsets.UTF_8));
  }

  private List<JsonNode> echoSessions() throws Exception {
    List<JsonNode> echo = new ArrayList<>();
    for (JsonNode s : Json.mapper().readTree(ok(a.weft("sessions", "--json")).out())) {
      if (s.get("service").asText().equals("echo")) {
        echo.add(s);
      }
    }
    return echo;
  }

  /** The one echo session that is not among {@code earlier} (ones other tests may have left). */
  private JsonNode newSession(List<String> earlier) throws Exception {
    List<JsonNode> fresh = echoSessions().stream().filter(s -> !earlier.contains(s.get("id").asText())).toList();
    assertEquals(1, fresh.size(), "new echo sessions: " + fresh);
    return fresh.get(0);
  }

  @Test
  void connectPipesStdinAndHalfClosesOnEof() throws Exception {
    byte[] input = "one line\nand another\n".getBytes(StandardCharsets.UTF_8);
    Weft.Output connect = ok(Weft.run(a.data, input, "connect", "bob", "echo"));
    assertEquals("one line\nand another\n", connect.out());
  }

  @Test
  void servicesRefusePeersTheyDoNotAllow() throws Exception {
    ok(b.weft("expose", "private", "--to", "127.0.0.1:" + echo.port(), "--allow",
        NodeKey.generate().identity().toString()));
    failsWith(Weft.run(a.data, new byte[0], "connect", "bob", "private"), "ACCESS_DENIED");
    failsWith(Weft.run(a.data, new byte[0], "connect", "bob", "nothing-here"), "NO_SUCH_SERVICE");
  }

  @Test
  void aSecondRunOnTheSameDataDirectoryIsRefused() throws Exception {
    failsWith(Weft.run(a.data, "run", "--admin", "127.0.0.1:0"), "already running on " + a.data);
  }

  @Test
  void theAdminApiRefusesMissingAndWrongTokens() throws Exception {
    AdminAccess access = AdminAccess.read(a.data).orElseThrow();
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest.Builder status = HttpRequest.newBuilder(URI.create(access.baseUri() + "/status"))
        .timeout(Duration.ofSeconds(10));
    assertEquals(401, http.send(status.build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    assertEquals(401, http.send(status.header("Authorization", "Bearer " + AdminAccess.newToken())
        .build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    HttpResponse<String> right = http.send(HttpRequest.newBuilder(URI.create(access.baseUri()
        + "/status")).header("Authorization", "Bearer " + access.token()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(a.identity, Json.mapper().readTree(right.body()).get("identity").asText());
  }

  @Test
  void malformedAdminRequestsGetErrorsAndTheNodeCarriesOn() throws Exception {
    AdminAccess access = AdminAccess.read(a.data).orElseThrow();
    HttpResponse<String> badJson = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(access.baseUri() + "/forwards"))
        .header("Authorization", "Bearer " + access.token())
        .POST(HttpRequest.BodyPublishers.ofString("{\"bind\": 12, \"peer\": [")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(400, badJson.statusCode());
    assertTrue(Json.mapper().readTree(badJson.body()).get("error").asText().contains("JSON"));
    try (Socket raw = new Socket("127.0.0.1", access.port())) {
      raw.setSoTimeout(10_000);
      raw.getOutputStream().write("\u0000\u0001garbage\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = raw.getInputStream();
      String reply = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      assertTrue(reply.startsWith("HTTP/1.1 400"), reply);
    }
    ok(a.weft("status"));
  }

  @Test
  void exposesAndForwardsAreListedAsTablesAndAsJson() throws Exception {
    String exposes = ok(b.weft("exposes")).out();
    assertTrue(exposes.startsWith("SERVICE "), exposes);
    assertTrue(exposes.lines().anyMatch(l -> l.matches(
        "echo +127\\.0\\.0\\.1:" + echo.port() + " +" + a.identity.substring(0, 8))), exposes);
    JsonNode expose = null;
    for (JsonNode e : Json.mapper().readTree(ok(b.weft("exposes", "--json")).out())) {
      expose = e.get("service").asText().equals("echo") ? e : expose;
    }
    assertTrue(expose != null, "echo in exposes --json");
    assertEquals("127.0.0.1:" + echo.port(), expose.get("target").asText());
    assertFalse(expose.get("public").asBoolean());
    assertEquals(a.identity, expose.get("allow").get(0).asText());

    String forwards = ok(a.weft("forwards")).out();
    assertTrue(forwards.startsWith("LISTEN "), forwards);
    assertTrue(forwards.lines().anyMatch(l -> l.matches("127\\.0\\.0\\.1:" + forwardPort + " +bob +echo")),
        forwards);
    JsonNode forward = Json.mapper().readTree(ok(a.weft("forwards", "--json")).out()).get(0);
    assertEquals("127.0.0.1:" + forwardPort, forward.get("bind").asText());
    assertEquals(b.identity, forward.get("peer").asText());
    assertEquals("echo", forward.get("service").asText());
  }

  @Test
  void theShellRunsOneCommandPerLineFromAPipe() throws Exception {
    String script = "streams\n\n# a comment\nforwards --json\nalias ls\n  sessions  \nexit\nstatus\n";
    Weft.Output shell = ok(Weft.run(a.data, script.getBytes(StandardCharsets.UTF_8), "shell"));
    String out = shell.out();
    assertTrue(out.startsWith("STREAM "), out);
    assertTrue(out.contains("\"bind\" : \"127.0.0.1:" + forwardPort + "\""), out);
    assertTrue(out.lines().anyMatch(l -> l.matches("bob +" + b.identity)), out);
    assertTrue(out.contains("\nSESSION "), out);
    assertFalse(out.contains("identity "), "nothing runs after exit: " + out);
    assertEquals("", shell.err());
  }

  @Test
  void aFailingLineInTheShellIsReportedAndTheNextOneRuns() throws Exception {
    String script = "unlink 0123456789abcdef\nno-such-command\npeers\n";
    Weft.Output shell = Weft.run(a.data, script.getBytes(StandardCharsets.UTF_8), "shell");
    assertEquals(1, shell.code(), shell.err());
    assertTrue(shell.out().startsWith("PEER "), shell.out());
    assertTrue(shell.err().startsWith("weft: "), shell.err());
    assertTrue(shell.err().contains("0123456789abcdef"), "the node's error for the unlink: " + shell.err());
    assertTrue(shell.err().contains("no-such-command"), shell.err());
    assertTrue(shell.err().endsWith("weft: 2 command(s) failed\n"), shell.err());
  }

  @Test
  void eventsFollowTheNodeLive() throws Exception {
    Process events = Weft.builder(b.data, "events").redirectErrorStream(true).start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(events.getInputStream(), StandardCharsets.UTF_8))) {
        in.lines().forEach(lines::add);
      } catch (java.io.IOException | java.io.UncheckedIOException e) {
        // the process was stopped
      }
    }, "weft-events");
    reader.setDaemon(true);
    reader.start();
    try {
      // Refused sessions make events on b; the first ones may come before `events` subscribed.
      for (int i = 0; i < 20; i++) {
        String service = "probe-" + i;
        failsWith(Weft.run(a.data, new byte[0], "connect", "bob", service), "NO_SUCH_SERVICE");
        for (String line = lines.poll(2, TimeUnit.SECONDS); line != null;
            line = lines.poll(500, TimeUnit.MILLISECONDS)) {
          if (line.contains("session-rejected") && line.contains("service=" + service)) {
            assertTrue(line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} session-rejected +peer=" + a.identity + " .*"),
                line);
            return;
          }
        }
      }
      throw new AssertionError("no session-rejected event for a probe");
    } finally {
      events.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
