package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.identity.Identity;
import dev.weft.link.Endpoint;
import dev.weft.link.RekeyStats;
import dev.weft.link.Transport;
import dev.weft.mux.MuxConfig;
import dev.weft.mux.Reason;
import dev.weft.mux.Session;
import dev.weft.mux.SessionRejectedException;
import dev.weft.node.Access;
import dev.weft.node.HostPort;
import dev.weft.node.Json;
import dev.weft.node.Node;
import dev.weft.node.NodeConfig;
import dev.weft.node.NodeStatus;
import dev.weft.node.RelayLimits;
import dev.weft.node.ReservedRelay;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The limits `weft run` takes: malformed values refused before anything starts, raised caps in effect. */
@Timeout(60)
class RunCommandTest {
  @TempDir
  Path dirA;
  @TempDir
  Path dirB;
  @TempDir
  Path dirC;
  @TempDir
  Path dirD;
  private final List<Node> nodes = new ArrayList<>();

  @AfterEach
  void stop() {
    nodes.forEach(Node::close);
  }

  private static String refusal(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] line = Stream.concat(Stream.of("run"), Stream.of(args)).toArray(String[]::new);
    int code = Main.execute(new PrintWriter(out), new PrintWriter(err), Map.of("WEFT_HOME", "/nonexistent"), line);
    assertEquals(2, code, String.join(" ", line) + ": " + err);
    return err.toString().trim();
  }

  /** The configuration `weft run ARGS` would start a node with, listening on loopback only. */
  private static NodeConfig config(Path dir, String... args) {
    List<String> line = new ArrayList<>(List.of("--data", dir.toString(), "run",
        "--listen", "tcp:127.0.0.1:0", "--admin", "127.0.0.1:0"));
    line.addAll(List.of(args));
    CommandLine cli = Main.withAllCommands(Map.of());
    RunCommand run = (RunCommand) cli.parseArgs(line.toArray(String[]::new))
        .subcommand().commandSpec().userObject();
    return run.config();
  }

  /** A node as `weft init` and `weft run ARGS` on {@code dir} would start it. */
  private Node start(Path dir, String... args) throws Exception {
    int init = Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
        Map.of(), "--data", dir.toString(), "init");
    assertEquals(0, init);
    Node node = Node.start(config(dir, args));
    nodes.add(node);
    return node;
  }

  /** Opens sessions from a to b's "idle" service until one is refused; returns how many opened. */
  private static int sessionsAdmitted(Node a, Node b, int attempts) throws Exception {
    b.expose("idle", (session, peer) -> { }, Access.anyone());
    Endpoint endpoint = b.listeners().stream().filter(e -> e.transport() == Transport.TCP).findFirst().orElseThrow();
    a.link(b.identity(), endpoint).get(10, TimeUnit.SECONDS);
    List<CompletableFuture<Session>> opens = new ArrayList<>();
    for (int i = 0; i < attempts; i++) {
      opens.add(a.open(b.identity(), "idle"));
    }
    int admitted = 0;
    for (CompletableFuture<Session> open : opens) {
      try {
        open.get(20, TimeUnit.SECONDS);
        admitted++;
      } catch (ExecutionException e) {
        SessionRejectedException refused = assertInstanceOf(SessionRejectedException.class, e.getCause());
        assertEquals(Reason.LIMIT_REACHED, refused.reason());
      }
    }
    return admitted;
  }

  @Test
  void malformedLimitsAreRefusedByName() {
    assertEquals("weft: --max-sessions-per-peer must be positive, got 0", refusal("--max-sessions-per-peer", "0"));
    assertEquals("weft: --max-sessions-per-stream must be positive, got -1", refusal("--max-sessions-per-stream", "-1"));
    assertEquals("weft: --max-pending-opens must be positive, got 0", refusal("--max-pending-opens", "0"));
    assertEquals("weft: --peer-memory-budget-mib must be 1..1048576 (MiB), got 0", refusal("--peer-memory-budget-mib", "0"));
    assertEquals("weft: --memory-budget-mib must be 1..1048576 (MiB), got 99999999999",
        refusal("--memory-budget-mib", "99999999999"));
    assertEquals("weft: --max-sessions must be positive, got 0", refusal("--max-sessions", "0"));
    refusal("--max-sessions-per-peer", "many"); // picocli: not an int
  }

  @Test
  void helpListsTheLimitOptionsWithTheirDefaults() {
    StringWriter out = new StringWriter();
    int code = Main.execute(new PrintWriter(out), new PrintWriter(new StringWriter()), Map.of(), "run", "--help");
    assertEquals(0, code);
    for (String option : List.of("--max-sessions-per-peer=N", "--max-sessions-per-stream=N", "--max-pending-opens=N",
        "--peer-memory-budget-mib=MIB")) {
      assertTrue(out.toString().contains(option), option + " in\n" + out);
    }
    assertTrue(out.toString().contains("(default 1024)"), out.toString());
  }

  @Test
  void theOptionsReachTheNodeConfig() {
    MuxConfig mux = config(dirA, "--max-sessions-per-peer", "10000", "--max-sessions-per-stream", "12000",
        "--max-pending-opens", "64", "--peer-memory-budget-mib", "96", "--max-sessions", "20000").mux();
    assertEquals(10_000, mux.maxSessionsPerPeer());
    assertEquals(12_000, mux.maxSessionsPerStream());
    assertEquals(64, mux.maxPendingOpens());
    assertEquals(96L << 20, mux.memoryBudget());
    assertEquals(20_000, config(dirA, "--max-sessions", "20000").limits().sessionsPerNode());
    assertEquals(NodeConfig.SMALL_NODE_MUX, config(dirA).mux(), "no option, the small node's defaults");
  }

  @Test
  void theKcpWindowIsCheckedAndReachesTheNodeConfig() {
    assertEquals("weft: --kcp-window-kib must be 64..65536, got 63", refusal("--kcp-window-kib", "63"));
    assertEquals("weft: --kcp-window-kib must be 64..65536, got 65537", refusal("--kcp-window-kib", "65537"));
    assertEquals(8 << 20, config(dirA, "--kcp-window-kib", "8192").kcpWindow());
    assertEquals(4608 << 10, config(dirA).kcpWindow(), "4.5 MiB by default");
  }

  @Test
  void cookieAndRekeyThresholdsAreCheckedAndReachTheNodeConfig() {
    assertEquals("weft: --cookie-threshold must not be negative, got -1", refusal("--cookie-threshold", "-1"));
    assertEquals("weft: --rekey-after-mib must be 1..2048 (MiB), got 0", refusal("--rekey-after-mib", "0"));
    assertEquals("weft: --rekey-after-mib must be 1..2048 (MiB), got 2049", refusal("--rekey-after-mib", "2049"));
    assertEquals("weft: --rekey-interval must be positive, got 0", refusal("--rekey-interval", "0"));
    NodeConfig set = config(dirA, "--cookie-threshold", "0", "--rekey-after-mib", "2048", "--rekey-interval", "30");
    assertEquals(0, set.cookieThreshold());
    assertEquals(1L << 31, set.rekeyBytes());
    assertEquals(Duration.ofSeconds(30), set.rekeyInterval());
    NodeConfig defaults = config(dirA);
    assertEquals(10, defaults.cookieThreshold());
    assertEquals(1L << 30, defaults.rekeyBytes());
    assertEquals(Duration.ofMinutes(2), defaults.rekeyInterval());
  }

  @Test
  void statusCarriesCookieAndRekeyCountsThroughItsJson() throws Exception {
    Node node = start(dirA, "--rekey-after-mib", "1");
    NodeStatus status = node.status();
    NodeStatus read = Json.mapper().convertValue(Json.mapper().valueToTree(status), NodeStatus.class);
    assertEquals(new RekeyStats(0, 0), read.rekeys());
    assertEquals(status.cookies(), read.cookies());
  }

  @Test
  void relayOptionsReachTheNodeConfigAndAreChecked() {
    String relay = "ab".repeat(32);
    NodeConfig set = config(dirA, "--relay", "--relay-max-reservations", "3", "--relay-reservation-lifetime", "60",
        "--relay-max-streams", "5", "--relay-max-streams-per-peer", "2", "--relay-max-mib-per-stream", "7",
        "--relay-max-stream-seconds", "90", "--relay-allow", relay,
        "--reserve", relay + "@tcp:192.0.2.1:7411", "--reserve", relay + "@kcp:192.0.2.1:7411");
    assertTrue(set.relay());
    RelayLimits limits = set.relayLimits();
    assertEquals(new RelayLimits(3, 2, 5, 7L << 20, Duration.ofSeconds(90), Duration.ofSeconds(60),
        Access.only(Set.of(Identity.parse(relay)))), limits);
    assertEquals(List.of(new ReservedRelay(Identity.parse(relay), "tcp:192.0.2.1:7411"),
        new ReservedRelay(Identity.parse(relay), "kcp:192.0.2.1:7411")), set.reserve());
    NodeConfig defaults = config(dirA);
    assertFalse(defaults.relay());
    assertEquals(RelayLimits.defaults(), defaults.relayLimits());
    assertEquals("weft: --relay-max-streams must be positive, got 0", refusal("--relay-max-streams", "0"));
    assertEquals("weft: --reserve 'tcp:192.0.2.1:7411': expected RELAY@tcp:HOST:PORT or RELAY@kcp:HOST:PORT",
        refusal("--reserve", "tcp:192.0.2.1:7411"));
  }

  @Test
  void adminOriginsAreRepeatableAndCheckedBeforeTheNodeStarts() {
    assertEquals(List.of("https://dash.example", "http://10.0.0.2:8080"), config(dirA,
        "--admin-origin", "https://Dash.Example/", "--admin-origin", "http://10.0.0.2:8080").adminOrigins());
    assertEquals(List.of(), config(dirA).adminOrigins());
    assertTrue(refusal("--admin-origin", "dash.example").contains("dash.example must be http:// or https://"),
        refusal("--admin-origin", "dash.example"));
  }

  @Test
  void theMetricsListenerIsOffByDefaultAndLoopbackWhenOnlyAPortIsGiven() {
    assertNull(config(dirA).metrics());
    assertEquals(HostPort.parse("127.0.0.1:9411"), config(dirA, "--metrics", "9411").metrics());
    assertEquals(HostPort.parse("[::]:9411"), config(dirA, "--metrics", "[::]:9411").metrics());
    assertEquals("weft: 'nine' is not a port (0-65535)", refusal("--metrics", "nine"));
  }

  @Test
  void aRaisedCapAdmitsMoreSessionsOverRealSocketsThanTheDefault() throws Exception {
    int cap = NodeConfig.SMALL_NODE_MUX.maxSessionsPerPeer();
    Node a = start(dirA);
    Node b = start(dirB);
    assertEquals(cap, sessionsAdmitted(a, b, cap + 1), "the default refuses past " + cap);
    nodes.forEach(Node::close);
    nodes.clear();

    String[] raised = {"--max-sessions-per-peer", "1100", "--max-sessions-per-stream", "1100", "--max-pending-opens", "1100"};
    Node c = start(dirC, raised);
    Node d = start(dirD, raised);
    assertEquals(1100, sessionsAdmitted(c, d, 1100));
  }

}
