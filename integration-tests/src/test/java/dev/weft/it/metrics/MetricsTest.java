package dev.weft.it.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.identity.Identity;
import dev.weft.link.Endpoint;
import dev.weft.link.IdentityMismatchException;
import dev.weft.link.Stream;
import dev.weft.link.Transport;
import dev.weft.mux.Reason;
import dev.weft.mux.Session;
import dev.weft.mux.SessionRejectedException;
import dev.weft.node.Access;
import dev.weft.node.HostPort;
import dev.weft.node.Node;
import dev.weft.node.NodeConfig;
import dev.weft.node.NodeLimits;
import dev.weft.node.Subscription;
import dev.weft.node.admin.AdminAccess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real nodes over loopback move data on a session, migrate it from TCP to KCP, have a session
 * refused and a dial find the wrong identity, then lose the KCP stream so the session fails over;
 * A's {@code /metrics} (admin API with its token, and the metrics listener without) and B's say
 * exactly that, and {@code promtool check metrics} accepts them.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsTest {
  private static final int PAYLOAD = 1 << 20;
  private static final long WAIT_SECONDS = 30;

  @TempDir
  static Path dir;
  private Node a;
  private Node b;
  private Subscription neverRead;
  private Stream tcp;
  private Stream kcp;
  private Session session;
  private Scrape scrapeA;
  private Scrape scrapeB;
  private Scrape afterFailover;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeAll
  void moveDataMigrateAndRefuse() throws Exception {
    b = Node.start(NodeConfig.builder(dir.resolve("b")).createIdentity(true)
        .listen("tcp:127.0.0.1:0").listen("kcp:127.0.0.1:0").build());
    a = Node.start(NodeConfig.builder(dir.resolve("a")).createIdentity(true)
        .admin(HostPort.parse("127.0.0.1:0"), false).metrics(HostPort.parse("127.0.0.1:0")).build());
    b.expose("echo", MetricsTest::echo, Access.anyone());
    b.expose("secret", MetricsTest::echo, Access.only(Set.of(b.identity())));
    neverRead = a.subscribe(1); // a slow subscriber: every event after the first is dropped for it

    Identity notB = Identity.of(new byte[32]);
    ExecutionException wrongKey = assertThrows(ExecutionException.class,
        () -> a.link(notB, listener(Transport.TCP)).get(WAIT_SECONDS, TimeUnit.SECONDS));
    assertInstanceOf(IdentityMismatchException.class, wrongKey.getCause());
    tcp = await(a.link(b.identity(), listener(Transport.TCP)));
    kcp = await(a.link(b.identity(), listener(Transport.KCP)));
    session = await(a.open(b.identity(), "echo"));
    assertEquals(tcp.id().value(), session.streamId(), "TCP is linked first, so it is measured first");
    echoed(PAYLOAD, 1);
    await(a.migrate(session.id(), kcp.id()));
    echoed(64 * 1024, 2);
    ExecutionException refused = assertThrows(ExecutionException.class,
        () -> a.open(b.identity(), "secret").get(WAIT_SECONDS, TimeUnit.SECONDS));
    assertEquals(Reason.ACCESS_DENIED,
        assertInstanceOf(SessionRejectedException.class, refused.getCause()).reason());

    // B first: what B received by then is at most what A had sent by the time A is scraped.
    scrapeB = Scrape.parse(b.metrics().scrape());
    scrapeA = until(this::scrapeOfA, s -> s.has("weft_stream_rtt_seconds", stream(kcp)));

    // The session's stream goes away: it fails over to TCP and goes on.
    await(a.unlink(kcp.id(), false));
    afterFailover = until(this::scrapeOfA,
        s -> s.value("weft_failovers_total", "outcome=\"resumed\"") == 1);
    echoed(64 * 1024, 3);
  }

  @AfterAll
  void stop() {
    neverRead.close();
    a.close();
    b.close();
  }

  @Test
  void theScrapeSaysWhatHappened() {
    String peerB = "peer=\"" + b.identity() + "\"";
    String peerA = "peer=\"" + a.identity() + "\"";
    assertEquals(2, scrapeA.value("weft_handshakes_total", "direction=\"outbound\"", "outcome=\"accepted\""));
    assertEquals(2, scrapeB.value("weft_handshakes_total", "direction=\"inbound\"", "outcome=\"accepted\""));
    assertEquals(0, scrapeA.value("weft_handshakes_total", "direction=\"outbound\"", "outcome=\"failed\""));
    assertEquals(1, scrapeA.value("weft_handshakes_total", "direction=\"outbound\"", "outcome=\"wrong_identity\""));
    // A told B why it dropped the link; B counts that refusal once it arrives.
    assertEquals(1, scrapeB.value("weft_handshakes_total", "direction=\"inbound\"", "outcome=\"refused_by_peer\""));

    assertEquals(1, scrapeA.value("weft_sessions_opened_total", "direction=\"outbound\""));
    assertEquals(1, scrapeB.value("weft_sessions_opened_total", "direction=\"inbound\""));
    assertEquals(1, scrapeA.value("weft_sessions"));
    assertEquals(1, scrapeA.value("weft_sessions_rejected_total", "direction=\"outbound\"", "reason=\"access_denied\""));
    assertEquals(1, scrapeB.value("weft_sessions_rejected_total", "direction=\"inbound\"", "reason=\"access_denied\""));
    assertEquals(0, scrapeB.value("weft_sessions_rejected_total", "direction=\"inbound\"", "reason=\"limit_reached\""));

    assertEquals(1, scrapeA.value("weft_migrations_total", "side=\"requested\"", "outcome=\"done\""));
    assertEquals(1, scrapeB.value("weft_migrations_total", "side=\"answered\"", "outcome=\"done\""));
    assertEquals(1, scrapeA.value("weft_migration_pause_seconds_count"));
    assertEquals(1, scrapeA.value("weft_migration_pause_seconds_bucket", "le=\"+Inf\""));
    assertEquals(0, scrapeB.value("weft_migration_pause_seconds_count"), "B asked for no migration");

    // A sent the payload and the echo of it came back: the bytes are on the streams and the peer.
    double sentOnTcp = scrapeA.value("weft_stream_sent_bytes_total", stream(tcp));
    double receivedOnTcp = scrapeA.value("weft_stream_received_bytes_total", stream(tcp));
    assertTrue(sentOnTcp > PAYLOAD && receivedOnTcp > PAYLOAD, sentOnTcp + " / " + receivedOnTcp);
    assertTrue(scrapeA.value("weft_stream_sent_bytes_total", stream(kcp)) > 64 * 1024);
    assertTrue(scrapeB.value("weft_stream_received_bytes_total", stream(tcp)) <= sentOnTcp);
    assertTrue(scrapeB.value("weft_stream_received_bytes_total", stream(tcp)) > PAYLOAD);
    // The peer's total is read just before its streams' (a ping may go out in between).
    double streamsSent = scrapeA.value("weft_stream_sent_bytes_total", stream(tcp))
        + scrapeA.value("weft_stream_sent_bytes_total", stream(kcp));
    double peerSent = scrapeA.value("weft_peer_sent_bytes_total", peerB);
    assertTrue(peerSent <= streamsSent && peerSent > streamsSent - 4096,
        "the peer's bytes are its streams': " + peerSent + " vs " + streamsSent);
    assertTrue(scrapeB.value("weft_peer_received_bytes_total", peerA) > PAYLOAD);
    assertEquals(2, scrapeA.value("weft_peer_streams", peerB));
    assertEquals(1, scrapeA.value("weft_streams", "transport=\"tcp\""));
    assertEquals(1, scrapeA.value("weft_stream_sessions", stream(kcp)), "the session moved to KCP");
    assertEquals(0, scrapeA.value("weft_stream_sessions", stream(tcp)));
    double rtt = scrapeA.value("weft_stream_rtt_seconds", stream(kcp));
    assertTrue(rtt > 0 && rtt < 5, "loopback RTT " + rtt);

    assertEquals(1, scrapeA.value("weft_limit_used", "limit=\"sessions_per_node\""));
    assertEquals(NodeLimits.defaults().sessionsPerNode(), scrapeA.value("weft_limit_max", "limit=\"sessions_per_node\""));
    assertTrue(scrapeA.value("weft_limit_used", "limit=\"receive_buffer_bytes\"") > 0);
    assertTrue(scrapeA.has("weft_limit_used", "limit=\"unacknowledged_send_bytes\""));
    assertTrue(scrapeA.has("weft_limit_used", "limit=\"pending_handshakes\""));
    assertTrue(scrapeA.value("weft_events_dropped_total") >= 5, "the unread subscriber missed events");
    assertEquals(1, scrapeB.value("weft_kcp_conversations_started_total"));
    assertEquals(1, scrapeA.value("weft_node_info", "identity=\"" + a.identity() + "\""));

    assertTrue(scrapeA.value("jvm_memory_used_bytes", "area=\"heap\"") > 0);
    assertTrue(scrapeA.has("jvm_buffer_pool_used_bytes", "pool=\"direct\""));
    assertTrue(scrapeA.has("netty_allocator_used_bytes", "memory=\"direct\""));
  }

  @Test
  void aSessionWhoseStreamWentAwayFailedOverAndThePeerKeepsTheStreamsBytes() {
    assertEquals(1, afterFailover.value("weft_failovers_total", "outcome=\"started\""));
    assertEquals(0, afterFailover.value("weft_failovers_total", "outcome=\"lost\""));
    assertEquals(1, afterFailover.value("weft_failover_seconds_count"));
    double took = afterFailover.value("weft_failover_seconds_sum");
    assertTrue(took >= 0 && took < WAIT_SECONDS, "failover took " + took + " s");
    assertFalse(afterFailover.has("weft_stream_sent_bytes_total", stream(kcp)), "the KCP stream's series end");
    assertFalse(afterFailover.has("weft_stream_rtt_seconds", stream(kcp)));
    assertEquals(1, afterFailover.value("weft_stream_sessions", stream(tcp)));
    assertEquals(0, afterFailover.value("weft_streams", "transport=\"kcp\""));
    String peerB = "peer=\"" + b.identity() + "\"";
    double before = scrapeA.value("weft_peer_sent_bytes_total", peerB);
    assertTrue(afterFailover.value("weft_peer_sent_bytes_total", peerB) >= before,
        "the closed stream's bytes stay in the peer's total");
    assertTrue(afterFailover.value("weft_peer_sent_bytes_total", peerB)
        > afterFailover.value("weft_stream_sent_bytes_total", stream(tcp)) + 64 * 1024);
  }

  @Test
  void theAdminApiServesTheSameMetricsOnlyWithItsToken() throws Exception {
    AdminAccess admin = AdminAccess.read(dir.resolve("a")).orElseThrow();
    HttpResponse<String> withToken = get(URI.create(admin.baseUri() + "/metrics"), admin.token());
    assertEquals(200, withToken.statusCode());
    assertEquals("text/plain; version=0.0.4; charset=utf-8",
        withToken.headers().firstValue("content-type").orElseThrow());
    assertEquals(1, Scrape.parse(withToken.body()).value("weft_migrations_total", "side=\"requested\"",
        "outcome=\"done\""));
    assertEquals(401, get(URI.create(admin.baseUri() + "/metrics"), null).statusCode());

    URI listener = metricsUri("/metrics");
    assertEquals(200, get(listener, null).statusCode());
    assertEquals(404, get(metricsUri("/status"), null).statusCode(), "the metrics listener serves nothing else");
    HttpResponse<String> post = http.send(HttpRequest.newBuilder(listener).timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, post.statusCode());
  }

  @Test
  void promtoolAcceptsTheScrapes() throws Exception {
    Promtool.check(scrapeA.text());
    Promtool.check(scrapeB.text());
    Promtool.check(afterFailover.text());
  }

  /** Runs last in effect: it takes the streams down, and their series must go with them. */
  @Test
  void seriesEndWithTheirStreamAndPeer() throws Exception {
    Node c = Node.start(NodeConfig.builder(dir.resolve("c")).createIdentity(true)
        .listen("tcp:127.0.0.1:0").build());
    try {
      Stream toC = await(a.link(c.identity(), c.listeners().get(0)));
      String peerC = "peer=\"" + c.identity() + "\"";
      assertTrue(scrapeOfA().has("weft_stream_sent_bytes_total", stream(toC)));
      assertTrue(scrapeOfA().has("weft_peer_sent_bytes_total", peerC));
      await(a.unlink(toC.id(), false));
      Scrape gone = until(this::scrapeOfA, s -> !s.has("weft_peer_sent_bytes_total", peerC));
      assertFalse(gone.has("weft_stream_sent_bytes_total", stream(toC)));
      assertFalse(gone.has("weft_stream_sessions", stream(toC)));
      assertTrue(gone.has("weft_peer_sent_bytes_total", "peer=\"" + b.identity() + "\""), "B's stay");
    } finally {
      c.close();
    }
  }

  /** Sends {@code size} pattern bytes on the session and checks that all of them come back. */
  private void echoed(int size, long seed) throws Exception {
    byte[] sent = new byte[size];
    new Random(seed).nextBytes(sent);
    OutputStream out = session.outputStream();
    CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
      try {
        out.write(sent);
        out.flush();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    byte[] back = session.inputStream().readNBytes(size);
    await(writing);
    assertArrayEquals(sent, back);
  }

  /** Echoes every byte back until the peer half-closes. */
  private static void echo(Session session, Identity peer) {
    Thread worker = new Thread(() -> {
      try {
        InputStream in = session.inputStream();
        OutputStream out = session.outputStream();
        byte[] chunk = new byte[16 * 1024];
        for (int n; (n = in.read(chunk)) > 0; ) {
          out.write(chunk, 0, n);
          out.flush();
        }
        out.close();
      } catch (IOException e) {
        // the session was reset (the nodes stop at the end): nothing left to echo to
      }
    }, "echo");
    worker.setDaemon(true);
    worker.start();
  }

  private Scrape scrapeOfA() throws Exception {
    HttpResponse<String> response = get(metricsUri("/metrics"), null);
    assertEquals(200, response.statusCode(), response.body());
    return Scrape.parse(response.body());
  }

  private URI metricsUri(String path) {
    InetSocketAddress at = a.metricsAddress().orElseThrow();
    return URI.create("http://" + HostPort.of(at) + path);
  }

  private HttpResponse<String> get(URI uri, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET();
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private Endpoint listener(Transport transport) {
    return b.listeners().stream().filter(e -> e.transport() == transport).findFirst().orElseThrow();
  }

  private static String stream(Stream s) {
    return "stream=\"" + s.id() + "\"";
  }

  @FunctionalInterface
  private interface Scraper {
    Scrape scrape() throws Exception;
  }

  /** Scrapes until {@code done} holds, for at most {@link #WAIT_SECONDS}. */
  private static Scrape until(Scraper scraper, Predicate<Scrape> done) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (true) {
      Scrape s = scraper.scrape();
      if (done.test(s)) {
        return s;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the scrape did not get there within " + WAIT_SECONDS + " s:\n" + s.text());
      }
      Thread.sleep(100);
    }
  }

  private static <T> T await(CompletableFuture<T> future) throws Exception {
    return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }
}
