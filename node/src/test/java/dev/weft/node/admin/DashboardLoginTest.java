package dev.weft.node.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.identity.NodeKey;
import dev.weft.node.Json;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The dashboard's login: code → cookie, the cookie on every route, and no cross-origin changes. */
@Timeout(20)
class DashboardLoginTest {
  private final FakeNode node = new FakeNode(NodeKey.generate().identity());
  private final String token = AdminAccess.newToken();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private AdminServer server;
  private String origin;

  @BeforeEach
  void start() throws Exception {
    server = AdminServer.start(node, new InetSocketAddress("127.0.0.1", 0), false, token,
        AllowedOrigins.none());
    origin = "http://127.0.0.1:" + server.address().getPort();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> send(String method, String path, String body, String... headers)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(origin + path))
        .timeout(Duration.ofSeconds(5))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String code() throws Exception {
    HttpResponse<String> answer = send("POST", "/dashboard/login-codes", "{}",
        "Authorization", "Bearer " + token);
    assertEquals(200, answer.statusCode(), answer.body());
    return Json.mapper().readTree(answer.body()).get("code").asText();
  }

  /** The {@code name=value} part of the Set-Cookie a login answers with. */
  private String login() throws Exception {
    HttpResponse<String> answer = send("GET", "/login?code=" + code(), null);
    assertEquals(303, answer.statusCode(), answer.body());
    assertEquals("/", answer.headers().firstValue("Location").orElseThrow());
    String cookie = answer.headers().firstValue("Set-Cookie").orElseThrow();
    assertTrue(cookie.toLowerCase(java.util.Locale.ROOT).contains("; httponly"), cookie);
    assertTrue(cookie.contains("SameSite=Strict"), cookie);
    return cookie.substring(0, cookie.indexOf(';'));
  }

  @Test
  void aLoginCodeNeedsTheTokenAndWorksOnce() throws Exception {
    assertEquals(401, send("POST", "/dashboard/login-codes", "{}").statusCode());
    String code = code();
    assertEquals(303, send("GET", "/login?code=" + code, null).statusCode());
    HttpResponse<String> again = send("GET", "/login?code=" + code, null);
    assertEquals(401, again.statusCode());
    assertTrue(again.body().contains("weft dashboard"), again.body());
    assertEquals(401, send("GET", "/login?code=" + "0".repeat(64), null).statusCode());
    assertEquals(401, send("GET", "/login", null).statusCode());
  }

  @Test
  void theCookieReadsEveryRouteAndTheEvents() throws Exception {
    String cookie = login();
    assertEquals(200, send("GET", "/status", null, "Cookie", cookie).statusCode());
    assertEquals(200, send("GET", "/sessions", null, "Cookie", cookie).statusCode());
    assertEquals(401, send("GET", "/status", null, "Cookie", "weft_dashboard=" + "0".repeat(64))
        .statusCode());
    HttpResponse<java.io.InputStream> events = http.send(HttpRequest.newBuilder(
            URI.create(origin + "/events?traffic=true")).header("Cookie", cookie).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, events.statusCode());
    events.body().close();
  }

  @Test
  void aCookieChangesNothingWithoutTheNodesOwnOrigin() throws Exception {
    String cookie = login();
    String expose = "{\"service\":\"web\",\"target\":\"127.0.0.1:8080\",\"public\":true}";
    assertEquals(401, send("POST", "/exposes", expose, "Cookie", cookie).statusCode());
    assertEquals(401, send("POST", "/exposes", expose, "Cookie", cookie,
        "Origin", "http://evil.example").statusCode());
    assertEquals(401, send("POST", "/exposes", expose, "Cookie", cookie,
        "Origin", "http://localhost:" + server.address().getPort()).statusCode());
    assertTrue(node.exposes.isEmpty());
    assertEquals(200, send("POST", "/exposes", expose, "Cookie", cookie, "Origin", origin)
        .statusCode());
    assertEquals(1, node.exposes.size());
  }

  @Test
  void thePageIsPublicAndLocksItselfDown() throws Exception {
    HttpResponse<String> page = send("GET", "/", null);
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("/ui/app.js"));
    assertTrue(page.headers().firstValue("Content-Security-Policy").orElseThrow()
        .contains("frame-ancestors 'none'"));
    HttpResponse<String> script = send("GET", "/ui/app.js", null);
    assertEquals(200, script.statusCode());
    assertTrue(script.headers().firstValue("Content-Type").orElseThrow().startsWith("text/javascript"));
    assertEquals(200, send("GET", "/ui/vendor/preact.module.js", null).statusCode());
    assertEquals(401, send("GET", "/ui/../../node.key", null).statusCode());
  }

  @Test
  void codesExpireAndOnlyTheNewestAreKept() {
    Instant t = Instant.parse("2026-01-02T03:04:05Z");
    DashboardLogins fixed = new DashboardLogins(Clock.fixed(t, ZoneOffset.UTC));
    String first = fixed.newCode().code();
    for (int i = 0; i < DashboardLogins.MAX_CODES; i++) {
      fixed.newCode();
    }
    assertTrue(fixed.redeem(first).isEmpty(), "the oldest code gave way");
    String code = fixed.newCode().code();
    DashboardLogins later = new DashboardLogins(
        Clock.fixed(t.plus(DashboardLogins.CODE_LIFETIME), ZoneOffset.UTC));
    assertTrue(later.redeem(code).isEmpty());
    assertFalse(fixed.redeem(code).isEmpty());
  }

  @Test
  void readsNeedNoOriginButChangesDo() {
    DashboardLogins logins = new DashboardLogins(Clock.systemUTC());
    String setCookie = logins.redeem(logins.newCode().code()).orElseThrow();
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    for (Map.Entry<HttpMethod, Boolean> m : Map.of(HttpMethod.GET, true, HttpMethod.HEAD, true,
        HttpMethod.POST, false, HttpMethod.DELETE, false).entrySet()) {
      DefaultHttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, m.getKey(), "/x");
      request.headers().set("Cookie", cookie).set("Host", "127.0.0.1:7412");
      assertEquals(m.getValue(), logins.admits(request), m.getKey().name());
      request.headers().set("Origin", "http://127.0.0.1:7412");
      assertTrue(logins.admits(request), m.getKey().name() + " from the same origin");
    }
  }
}
