package dev.weft.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.node.Json;
import dev.weft.node.admin.AdminAccess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Abuse of the admin HTTP API, over raw sockets: every bad request gets a JSON error with the
 * status that names the problem, and nothing on the node changes.
 */
@Timeout(300)
class AdminAbuseTest extends AgainstVictim {
  /** The admin server closes a connection whose request is not complete within this. */
  private static final long REQUEST_DEADLINE_MS = 10_000;

  private static String request(String method, String path, String token, String body) {
    return method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + (token == null ? "" : "Authorization: " + token + "\r\n")
        + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
  }

  private static Arguments bad(String name, int status, String error, Function<String, String> request) {
    return Arguments.of(name, status, error, request);
  }

  static Stream<Arguments> badRequests() {
    String expose = "{\"service\": \"%s\", \"target\": \"127.0.0.1:9\", \"public\": true}";
    return Stream.of(
        bad("no token", 401, "bearer token", t -> request("GET", "/status", null, "")),
        bad("a wrong token", 401, "bearer token", t -> request("GET", "/status", "Bearer " + AdminAccess.newToken(), "")),
        bad("the token in another scheme", 401, "bearer token", t -> request("GET", "/status", "Basic " + t, "")),
        bad("the token's prefix only", 401, "bearer token", t -> request("GET", "/status", "Bearer " + t.substring(0, 8), "")),
        bad("an unknown path", 404, "no route", t -> request("GET", "/etc/passwd", "Bearer " + t, "")),
        bad("a wrong method", 405, "not allowed", t -> request("PUT", "/status", "Bearer " + t, "")),
        bad("malformed JSON", 400, "JSON", t -> request("POST", "/exposes", "Bearer " + t, "{\"service\": [")),
        bad("an unknown JSON field", 400, "JSON", t -> request("POST", "/exposes", "Bearer " + t,
            "{\"service\": \"x\", \"target\": \"127.0.0.1:9\", \"public\": true, \"shell\": \"rm -rf /\"}")),
        bad("JSON of the wrong shape", 400, "JSON", t -> request("POST", "/exposes", "Bearer " + t, "[1, 2, 3]")),
        bad("a service name that climbs out of the data directory", 400, "invalid service name",
            t -> request("POST", "/exposes", "Bearer " + t, expose.formatted("../../node.key"))),
        bad("a service name with a slash", 400, "invalid service name",
            t -> request("POST", "/exposes", "Bearer " + t, expose.formatted("a/b"))),
        bad("an encoded traversal in a route parameter", 404, "no route",
            t -> request("DELETE", "/exposes/..%2F..%2Fnode.key", "Bearer " + t, "")),
        bad("a traversal in a stream id", 404, "no route",
            t -> request("DELETE", "/streams/..%2F..%2F..%2Fetc", "Bearer " + t, "")),
        bad("a body of 1 MiB", 413, "exceeds",
            t -> request("POST", "/exposes", "Bearer " + t, "[" + "1,".repeat(512 * 1024) + "1]")),
        bad("a header line of 64 KiB", 400, "malformed HTTP", t -> "GET /status HTTP/1.1\r\nX-Junk: " + "a".repeat(64 * 1024)
            + "\r\nAuthorization: Bearer " + t + "\r\n\r\n"),
        bad("binary junk", 400, "malformed HTTP", t -> "\u0000\u0001\u0002garbage\r\n\r\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void aBadRequestGetsAClearErrorAndChangesNothing(String name, int status, String error,
      Function<String, String> request) throws Exception {
    victim.survives(v -> {
      AdminAccess admin = v.admin();
      int exposes = v.node.exposes().size();
      String reply = exchange(admin, request.apply(admin.token()));
      assertTrue(reply.startsWith("HTTP/1.1 " + status + " "), reply.lines().findFirst().orElse(reply));
      String body = reply.substring(reply.indexOf("\r\n\r\n") + 4);
      JsonNode json = Json.mapper().readTree(body);
      assertTrue(json.get("error").asText().contains(error), body);
      assertEquals(exposes, v.node.exposes().size());
      assertTrue(Files.exists(v.dataDir().resolve("node.key")));
      assertEquals(200, status(exchange(admin, request("GET", "/status", "Bearer " + admin.token(), ""))),
          "the API still answers");
    });
  }

  private static int status(String reply) {
    return Integer.parseInt(reply.substring(9, 12));
  }

  /** Sends {@code request} on a fresh connection and reads the first response. */
  private static String exchange(AdminAccess admin, String request) throws IOException {
    try (Socket socket = new Socket(admin.host(), admin.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      try {
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      } catch (SocketException closedEarly) {
        // a refused oversized request may be cut off while still being written
      }
      return firstResponse(socket.getInputStream());
    }
  }

  private static String firstResponse(InputStream in) throws IOException {
    StringBuilder text = new StringBuilder();
    byte[] buffer = new byte[8192];
    int contentLength = -1;
    int headEnd = -1;
    for (int n; (n = in.read(buffer)) != -1; ) {
      text.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
      if (headEnd < 0 && (headEnd = text.indexOf("\r\n\r\n")) >= 0) {
        for (String line : text.substring(0, headEnd).split("\r\n")) {
          if (line.toLowerCase().startsWith("content-length:")) {
            contentLength = Integer.parseInt(line.substring(15).trim());
          }
        }
      }
      if (headEnd >= 0 && contentLength >= 0 && text.length() >= headEnd + 4 + contentLength) {
        break;
      }
    }
    return text.toString();
  }

  /** 50 connections dribble a request's headers a byte every 300 ms: each is cut off at the deadline. */
  @Test
  void slowHeadersAreCutOffAtTheRequestDeadline() throws Exception {
    victim.survives(v -> {
      AdminAccess admin = v.admin();
      byte[] slow = request("GET", "/status", "Bearer " + admin.token(), "").getBytes(StandardCharsets.US_ASCII);
      List<Dribble> dribbles = new ArrayList<>();
      try {
        for (int i = 0; i < 50; i++) {
          dribbles.add(Dribble.start(v.attackerLoops().tcp, new InetSocketAddress(admin.host(), admin.port()),
              slow, 300));
        }
        for (Dribble d : dribbles) {
          long millis = d.closedAfterMillis(REQUEST_DEADLINE_MS + 10_000);
          assertTrue(millis >= REQUEST_DEADLINE_MS - 1000 && millis < REQUEST_DEADLINE_MS + 4000,
              "closed after " + millis + " ms");
        }
      } finally {
        dribbles.forEach(Dribble::close);
      }
    });
  }
}
