package dev.weft.node.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.identity.Identity;
import dev.weft.identity.NodeKey;
import dev.weft.node.Event;
import dev.weft.node.Json;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class AdminServerTest {
  private final Identity self = NodeKey.generate().identity();
  private final FakeNode node = new FakeNode(self);
  private final String token = AdminAccess.newToken();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private AdminServer server;

  @BeforeEach
  void start() throws Exception {
    server = AdminServer.start(node, new InetSocketAddress("127.0.0.1", 0), false, token,
        AllowedOrigins.none());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> call(String method, String path, String body, String bearer)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.address().getPort() + path))
        .timeout(Duration.ofSeconds(5))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> call(String method, String path, String body) throws Exception {
    return call(method, path, body, token);
  }

  private static String error(HttpResponse<String> response) throws Exception {
    return Json.mapper().readTree(response.body()).get("error").asText();
  }

  @Test
  void statusAnswersWithJson() throws Exception {
    HttpResponse<String> response = call("GET", "/status", null);
    assertEquals(200, response.statusCode());
    JsonNode status = Json.mapper().readTree(response.body());
    assertEquals(self.toString(), status.get("identity").asText());
    assertEquals("tcp:127.0.0.1:1", status.get("listeners").get(0).asText());
  }

  @Test
  void requestsWithoutOrWithAWrongTokenAreRefused() throws Exception {
    HttpResponse<String> none = call("GET", "/status", null, null);
    assertEquals(401, none.statusCode());
    assertTrue(error(none).contains("bearer token"));
    assertEquals(401, call("GET", "/status", null, AdminAccess.newToken()).statusCode());
    assertEquals(401, call("DELETE", "/exposes/web", null, token.substring(1)).statusCode());
    assertEquals(0, node.calls.size());
  }

  @Test
  void exposeRoundTripsAndConflictsAreReported() throws Exception {
    String body = "{\"service\":\"web\",\"target\":\"127.0.0.1:8080\",\"allow\":[\"" + self + "\"]}";
    assertEquals(200, call("POST", "/exposes", body).statusCode());
    HttpResponse<String> again = call("POST", "/exposes", body);
    assertEquals(409, again.statusCode());
    assertEquals("web is already exposed", error(again));
    JsonNode listed = Json.mapper().readTree(call("GET", "/exposes", null).body());
    assertEquals("127.0.0.1:8080", listed.get(0).get("target").asText());
    assertEquals(self.toString(), listed.get(0).get("allow").get(0).asText());
    assertEquals(false, listed.get(0).get("public").asBoolean());
    assertEquals(204, call("DELETE", "/exposes/web", null).statusCode());
    HttpResponse<String> gone = call("DELETE", "/exposes/web", null);
    assertEquals(404, gone.statusCode());
    assertEquals("no service web is exposed", error(gone));
  }

  @Test
  void badRequestsGetJsonErrors() throws Exception {
    assertEquals(404, call("GET", "/nothing/here", null).statusCode());
    HttpResponse<String> method = call("PUT", "/status", null);
    assertEquals(405, method.statusCode());
    assertTrue(error(method).contains("GET"));
    HttpResponse<String> json = call("POST", "/exposes", "{\"service\":");
    assertEquals(400, json.statusCode());
    assertTrue(error(json).startsWith("malformed JSON body"), error(json));
    assertEquals(400, call("POST", "/exposes", "").statusCode());
    assertEquals(400, call("POST", "/exposes", "null").statusCode());
    assertEquals(400, call("POST", "/exposes", "{\"service\":\"web\",\"target\":\"nowhere\",\"public\":true}").statusCode());
    assertEquals(400, call("POST", "/exposes", "{\"service\":\"Bad Name\",\"target\":\"h:1\",\"public\":true}").statusCode());
    assertEquals(400, call("POST", "/exposes", "{\"service\":\"web\",\"target\":\"h:1\",\"extra\":1}").statusCode());
    HttpResponse<String> peer = call("POST", "/peers/xyz/ping", null);
    assertEquals(400, peer.statusCode());
    assertTrue(error(peer).contains("identity"), error(peer));
    assertEquals(400, call("POST", "/streams", "{\"peer\":\"" + self + "\"}").statusCode());
    assertEquals(400, call("DELETE", "/streams/01?drain=maybe", null).statusCode());
    assertEquals(400, call("DELETE", "/forwards/99999", null).statusCode());
  }

  @Test
  void failuresOfNodeOperationsKeepTheirMeaning() throws Exception {
    HttpResponse<String> link = call("POST", "/streams",
        "{\"peer\":\"" + self + "\",\"endpoint\":\"tcp:127.0.0.1:9\"}");
    assertEquals(502, link.statusCode());
    assertEquals("connection refused: tcp:127.0.0.1:9", error(link));
    assertEquals(404, call("POST", "/sessions/ab/migrate", "{\"stream\":\"cd\"}").statusCode());
    assertEquals(204, call("DELETE", "/streams/0a?drain", null).statusCode());
    assertEquals("unlink 0a drain=true", node.calls.get(node.calls.size() - 1));
    assertEquals(42, Json.mapper().readTree(call("POST", "/peers/" + self + "/ping", null).body())
        .get(0).get("rttMicros").asInt());
  }

  @Test
  void theSessionResourceAnswers404ForUnknownSessionsAndChecksTheReason() throws Exception {
    HttpResponse<String> unknown = call("GET", "/sessions/0a", null);
    assertEquals(404, unknown.statusCode());
    assertEquals("no session 0a", error(unknown));
    assertEquals(404, call("DELETE", "/sessions/0a?reason=maintenance", null).statusCode());
    assertEquals("reset 0a maintenance", node.calls.get(node.calls.size() - 1));
    assertEquals(404, call("DELETE", "/sessions/0b", "{\"reason\":\"from the body\"}").statusCode());
    assertEquals("reset 0b from the body", node.calls.get(node.calls.size() - 1));
    call("DELETE", "/sessions/0c", null);
    assertEquals("reset 0c reset by the node's operator", node.calls.get(node.calls.size() - 1));
    HttpResponse<String> tooLong = call("DELETE", "/sessions/0d?reason=" + "x".repeat(513), null);
    assertEquals(400, tooLong.statusCode());
    assertTrue(error(tooLong).contains("512"), error(tooLong));
  }

  @Test
  void theWebSocketRouteNeedsAnUpgradeAndAnAllowedOrigin() throws Exception {
    HttpResponse<String> plain = call("GET", "/ws/sessions?peer=" + self + "&service=web", null);
    assertEquals(400, plain.statusCode());
    assertTrue(error(plain).contains("WebSocket upgrade"), error(plain));
    HttpRequest foreign = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + server.address().getPort() + "/ws/sessions?peer=" + self + "&service=web"))
        .header("Authorization", "Bearer " + token).header("Origin", "https://evil.example").build();
    HttpResponse<String> refused = http.send(foreign, HttpResponse.BodyHandlers.ofString());
    assertEquals(403, refused.statusCode());
    assertTrue(error(refused).contains("https://evil.example"), error(refused));
    assertTrue(node.calls.isEmpty(), "no session was opened: " + node.calls);
  }

  @Test
  void oversizedBodiesAreRefusedWith413() throws Exception {
    HttpResponse<String> big = call("POST", "/exposes", "x".repeat(AdminServer.MAX_BODY + 1));
    assertEquals(413, big.statusCode());
    assertTrue(error(big).contains("exceeds"));
  }

  /**
   * A client that sends its whole body before it reads (curl, java.net.http) must still get the
   * 413: closing under a body still arriving resets the connection instead.
   */
  @Test
  void the413SurvivesAClientThatKeepsSendingItsBody() throws Exception {
    int length = 64 * AdminServer.MAX_BODY;
    try (Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /exposes HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
          + "\r\nContent-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      byte[] chunk = new byte[8192];
      out.write(chunk);
      InputStream in = socket.getInputStream();
      StringBuilder reply = new StringBuilder();
      while (!reply.toString().endsWith("}")) {
        reply.append((char) in.read());
      }
      assertTrue(reply.toString().startsWith("HTTP/1.1 413"), reply.toString());
      assertTrue(reply.toString().contains("exceeds"), reply.toString());
      for (int sent = 2 * chunk.length; sent <= length; sent += chunk.length) {
        out.write(chunk);
      }
      socket.shutdownOutput();
      assertEquals(-1, in.read(), "the connection ends cleanly after the body");
    }
  }

  @Test
  void malformedHttpGetsA400AndTheConnectionCloses() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write("GARBAGE\0 / HTTP/9\r\nno colon here\r\n\r\n"
          .getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      String reply = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      assertTrue(reply.startsWith("HTTP/1.1 400"), reply);
      assertTrue(reply.contains("\"error\""), reply);
    }
    assertEquals(200, call("GET", "/status", null).statusCode());
  }

  @Test
  void eventsAreStreamedAsServerSentEvents() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.address().getPort() + "/events"))
        .header("Authorization", "Bearer " + token).build();
    HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, response.statusCode());
    try (BufferedReader lines = new BufferedReader(
        new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      // The node subscribes before it sends the response head, so this event cannot be missed.
      node.events.publish(new Event.PeerLinked(Instant.EPOCH, self));
      assertEquals("event: peer-linked", lines.readLine());
      JsonNode data = Json.mapper().readTree(lines.readLine().substring("data: ".length()));
      assertEquals(self.toString(), data.get("peer").asText());
      assertEquals("", lines.readLine());
    }
  }

  @Test
  void nonLoopbackNeedsAnExplicitOption() {
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> AdminServer.start(node, new InetSocketAddress("0.0.0.0", 0), false, token,
            AllowedOrigins.none()));
    assertTrue(refused.getMessage().contains("not loopback"));
    assertTrue(Stream.of(refused.getMessage()).allMatch(m -> m.contains("0.0.0.0")));
  }
}
