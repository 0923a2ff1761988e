package dev.weft.it.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.mux.MuxConfig;
import dev.weft.mux.Session;
import dev.weft.mux.SessionResetException;
import dev.weft.node.Access;
import dev.weft.node.HostPort;
import dev.weft.node.Json;
import dev.weft.node.Node;
import dev.weft.node.NodeConfig;
import dev.weft.node.admin.AdminAccess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions over the admin API's WebSocket route, between two real nodes over loopback: A serves
 * the admin API, B exposes {@link #SERVICE}, whose sessions the test drives directly.
 */
@Timeout(120)
class WebSocketSessionTest {
  static final String SERVICE = "svc";
  /** Small windows, so the flood test's bound is tight: B grants credit only as its service reads. */
  static final MuxConfig MUX = NodeConfig.SMALL_NODE_MUX.withWindows(32 * 1024, 256 * 1024);
  static final String LISTED_ORIGIN = "https://dash.example";
  static final int FRAME = 64 * 1024;
  static final long WAIT = 30;

  @TempDir
  static Path dir;
  static Node a;
  static Node b;
  static AdminAccess admin;
  static final BlockingQueue<Session> served = new LinkedBlockingQueue<>();
  static final ExecutorService threads = Executors.newCachedThreadPool();
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    b = Node.start(NodeConfig.builder(dir.resolve("b")).createIdentity(true).mux(MUX)
        .listen("tcp:127.0.0.1:0").build());
    a = Node.start(NodeConfig.builder(dir.resolve("a")).createIdentity(true).mux(MUX)
        .admin(HostPort.parse("127.0.0.1:0"), false).adminOrigin(LISTED_ORIGIN).build());
    b.expose(SERVICE, (session, peer) -> served.add(session), Access.anyone());
    a.link(b.identity(), b.listeners().get(0)).get(WAIT, TimeUnit.SECONDS);
    admin = AdminAccess.read(dir.resolve("a")).orElseThrow();
  }

  @AfterAll
  static void stop() {
    threads.shutdownNow();
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
  }

  static URI ws(String query) {
    return URI.create("ws://127.0.0.1:" + admin.port() + "/ws/sessions?" + query);
  }

  static String open() {
    return "peer=" + b.identity() + "&service=" + SERVICE;
  }

  static WebSocketClient connectWithHeader() throws Exception {
    return WebSocketClient.connect(ws(open()),
        builder -> builder.header("Authorization", "Bearer " + admin.token()));
  }

  /** Sends {@code bytes} of seeded random data in {@link #FRAME}-sized binary messages. */
  static Transfer send(WebSocket socket, long bytes, long seed) throws Exception {
    Checksum sum = new Checksum(seed);
    while (sum.bytes < bytes) {
      socket.sendBinary(sum.next((int) Math.min(FRAME, bytes - sum.bytes)), true)
          .get(WAIT, TimeUnit.SECONDS);
    }
    return sum.total();
  }

  /** Seeded random chunks and the running checksum of what they held. */
  static final class Checksum {
    private final SplittableRandom random;
    private final CRC32C crc = new CRC32C();
    long bytes;

    Checksum(long seed) {
      random = new SplittableRandom(seed);
    }

    ByteBuffer next(int length) {
      byte[] chunk = new byte[length];
      random.nextBytes(chunk);
      crc.update(chunk);
      bytes += length;
      return ByteBuffer.wrap(chunk);
    }

    Transfer total() {
      return new Transfer(bytes, crc.getValue());
    }
  }

  static CompletableFuture<Transfer> readAll(Session session) {
    return CompletableFuture.supplyAsync(() -> {
      CRC32C crc = new CRC32C();
      long n = 0;
      byte[] buf = new byte[FRAME];
      try (InputStream in = session.inputStream()) {
        for (int r; (r = in.read(buf)) >= 0; ) {
          crc.update(buf, 0, r);
          n += r;
        }
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
      return new Transfer(n, crc.getValue());
    }, threads);
  }

  static void write(OutputStream out, Checksum sum, long bytes) throws IOException {
    long end = sum.bytes + bytes;
    while (sum.bytes < end) {
      ByteBuffer chunk = sum.next((int) Math.min(FRAME, end - sum.bytes));
      out.write(chunk.array());
    }
  }

  static <T> T await(CompletableFuture<T> future) throws Exception {
    return future.get(WAIT, TimeUnit.SECONDS);
  }

  static HttpResponse<String> call(String method, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(admin.baseUri() + path))
        .header("Authorization", "Bearer " + admin.token())
        .method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A's row of the session B's service got. */
  static JsonNode row(Session served) throws Exception {
    HttpResponse<String> response = call("GET", "/sessions/" + served.id());
    assertEquals(200, response.statusCode(), response.body());
    return Json.mapper().readTree(response.body());
  }

  @Test
  void bytesFlowBothWaysAndAClientCloseHalfClosesTheSession() throws Exception {
    WebSocketClient client = connectWithHeader();
    Session service = served.poll(WAIT, TimeUnit.SECONDS);
    CompletableFuture<Transfer> serviceGot = readAll(service);
    CompletableFuture<Transfer> serviceSent = CompletableFuture.supplyAsync(() -> {
      Checksum sum = new Checksum(2);
      try (OutputStream out = service.outputStream()) {
        write(out, sum, 2 << 20);
        serviceGot.join(); // the client's Close reached the service: it still sends
        write(out, sum, 2 << 20);
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
      return sum.total();
    }, threads);

    Transfer clientSent = send(client.socket, 4 << 20, 1);
    client.socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(WAIT, TimeUnit.SECONDS);

    assertEquals(clientSent, await(serviceGot), "client to service, ended by the client's Close");
    WebSocketClient.Closed closed = await(client.closed);
    assertEquals(new WebSocketClient.Closed(1000, "the service finished sending"), closed);
    assertEquals(await(serviceSent), client.received(), "service to client, after the client's Close");
    await(service.closeFuture()); // ended normally at both ends
  }

  /**
   * A client that floods and never reads: A reads from it only as B's service grants credit,
   * and takes the service's data only as fast as the socket drains, so neither direction grows
   * A's memory; once both ends read again, every byte arrives.
   */
  @Test
  void aFloodingClientThatNeverReadsIsHeldBackBothWays() throws Exception {
    WebSocketClient client = WebSocketClient.connect(ws(open()),
        builder -> builder.header("Authorization", "Bearer " + admin.token()), false);
    Session service = served.poll(WAIT, TimeUnit.SECONDS); // reads nothing yet: grants no credit
    long flood = 32 << 20;
    AtomicLong serviceWrote = new AtomicLong();
    AtomicBoolean stopWriting = new AtomicBoolean();
    CompletableFuture<Transfer> serviceSent = CompletableFuture.supplyAsync(() -> {
      Checksum sum = new Checksum(5);
      try (OutputStream out = service.outputStream()) {
        while (!stopWriting.get() && sum.bytes < flood) {
          write(out, sum, FRAME); // blocks while A grants no credit
          serviceWrote.set(sum.bytes);
        }
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
      return sum.total();
    }, threads);

    Checksum sum = new Checksum(3);
    CompletableFuture<WebSocket> sending = null;
    while (sum.bytes < flood) {
      sending = client.socket.sendBinary(sum.next(FRAME), true);
      try {
        sending.get(3, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        break; // every buffer on the way is full: A stopped reading
      }
    }
    for (long last = -1; serviceWrote.get() != last; Thread.sleep(3000)) {
      last = serviceWrote.get(); // until the service's writes stop completing
    }
    JsonNode held = row(service);
    long sent = sum.bytes;
    assertTrue(sent < flood, "the client could send all " + flood + " bytes");
    assertTrue(serviceWrote.get() < flood, "the service could send all " + flood + " bytes");
    // What A holds of the client's bytes: B's initial window, the frames of one read, one frame.
    long bound = MUX.initialWindow() + 2L * FRAME;
    assertTrue(held.get("queued").asLong() <= bound, "A holds " + held.get("queued") + " of "
        + sent + " bytes sent (bound " + bound + ")");
    assertEquals("OPEN", held.get("state").asText());

    CompletableFuture<Transfer> serviceGot = readAll(service); // credit flows again
    await(sending);
    client.socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(WAIT, TimeUnit.SECONDS);
    client.startReading();
    stopWriting.set(true);
    assertEquals(sum.total(), await(serviceGot), "client to service: nothing lost while held back");
    assertEquals(new WebSocketClient.Closed(1000, "the service finished sending"), await(client.closed));
    assertEquals(await(serviceSent), client.received(), "service to client: nothing lost");
  }

  @Test
  void aResetClosesTheSocketWithItsCodeAndReason() throws Exception {
    WebSocketClient client = WebSocketClient.connect(ws(open()), builder -> builder
        .subprotocols("weft.token." + admin.token(), "weft")
        .header("Origin", "http://127.0.0.1:" + admin.port()));
    assertEquals("weft", client.socket.getSubprotocol(), "only the non-secret protocol is echoed");
    Session service = served.poll(WAIT, TimeUnit.SECONDS);
    service.reset("the service gave up");
    assertEquals(new WebSocketClient.Closed(4006, "the service gave up"), await(client.closed));
  }

  @Test
  void theSessionResourceShowsAndResetsOneSession() throws Exception {
    WebSocketClient client = WebSocketClient.connect(ws(open()),
        builder -> builder.subprotocols("weft.token." + admin.token(), "weft")
            .header("Origin", LISTED_ORIGIN));
    Session service = served.poll(WAIT, TimeUnit.SECONDS);
    CompletableFuture<Transfer> serviceGot = readAll(service);
    Transfer sent = send(client.socket, 100_000, 4);

    // the bridge writes what the socket took into the session after the send completes
    JsonNode row = row(service);
    for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT);
        row.get("bytesOut").asLong() == 0 && System.nanoTime() < deadline; row = row(service)) {
      Thread.sleep(20);
    }
    assertEquals(service.id().toString(), row.get("id").asText());
    assertEquals(b.identity().toString(), row.get("peer").asText());
    assertEquals(SERVICE, row.get("service").asText());
    assertEquals("OPEN", row.get("state").asText());
    assertEquals(a.peer(b.identity()).orElseThrow().streams().get(0).id().toString(),
        row.get("stream").asText());
    assertFalse(row.get("inbound").asBoolean());
    assertEquals(0, row.get("migrations").asInt());
    assertTrue(row.get("ageMillis").asLong() >= 0);
    assertTrue(row.get("bytesOut").asLong() > 0);

    HttpResponse<String> reset = call("DELETE", "/sessions/" + service.id() + "?reason=maintenance");
    assertEquals(204, reset.statusCode(), reset.body());
    SessionResetException seen = (SessionResetException) assertThrows(ExecutionException.class,
        () -> service.closeFuture().get(WAIT, TimeUnit.SECONDS)).getCause();
    assertEquals("maintenance", seen.detail(), "the peer sees the reason");
    assertTrue(seen.byPeer());
    assertEquals(new WebSocketClient.Closed(4006, "maintenance"), await(client.closed));
    assertThrows(ExecutionException.class, () -> serviceGot.get(WAIT, TimeUnit.SECONDS));
    assertTrue(sent.bytes() > 0);

    assertEquals(404, call("GET", "/sessions/" + service.id()).statusCode());
    assertEquals(404, call("DELETE", "/sessions/" + service.id()).statusCode());
    assertEquals(400, call("GET", "/sessions/not-an-id").statusCode());
  }

  @Test
  void badUpgradesAreRefusedWithClearHttpErrors() throws Exception {
    String token = admin.token();
    assertRefused(401, "bearer token", open(), "");
    assertRefused(401, "bearer token", open(), "Sec-WebSocket-Protocol: weft.token.00" + token.substring(2)
        + ", weft\r\n");
    assertRefused(400, "subprotocol weft", open(), "Sec-WebSocket-Protocol: weft.token." + token + "\r\n");
    assertRefused(403, "https://evil.example", open(),
        "Authorization: Bearer " + token + "\r\nOrigin: https://evil.example\r\n");
    assertRefused(403, "may not open", open(), "Authorization: Bearer " + token
        + "\r\nOrigin: http://127.0.0.1:" + (admin.port() + 1) + "\r\n");
    assertRefused(400, "query parameter peer is missing", "service=" + SERVICE,
        "Authorization: Bearer " + token + "\r\n");
    assertRefused(400, "identity", "peer=nobody&service=" + SERVICE, "Authorization: Bearer " + token + "\r\n");
    assertRefused(404, "no stream to", "peer=" + a.identity() + "&service=" + SERVICE,
        "Authorization: Bearer " + token + "\r\n");
    assertRefused(502, "NO_SUCH_SERVICE", "peer=" + b.identity() + "&service=nothing",
        "Authorization: Bearer " + token + "\r\n");
    HttpResponse<String> plain = call("GET", "/ws/sessions?" + open());
    assertEquals(400, plain.statusCode());
    assertTrue(plain.body().contains("needs a WebSocket upgrade"), plain.body());
    assertTrue(served.isEmpty(), "no refused request opened a session");
  }

  /** One response: its head, then as many body bytes as its Content-Length says. */
  static String response(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      head.append((char) c);
    }
    java.util.regex.Matcher length = java.util.regex.Pattern
        .compile("(?i)content-length: *([0-9]+)").matcher(head);
    byte[] body = length.find() ? in.readNBytes(Integer.parseInt(length.group(1))) : new byte[0];
    return head + new String(body, StandardCharsets.UTF_8);
  }

  /** Sends a raw upgrade request with {@code headers} and checks the JSON error it gets. */
  static void assertRefused(int status, String error, String query, String headers) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", admin.port())) {
      socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT));
      socket.getOutputStream().write(("GET /ws/sessions?" + query + " HTTP/1.1\r\n"
          + "Host: 127.0.0.1:" + admin.port() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
          + headers + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      String reply = response(socket.getInputStream());
      assertTrue(reply.startsWith("HTTP/1.1 " + status + " "), reply);
      assertTrue(reply.contains(error), reply);
    }
  }
}
