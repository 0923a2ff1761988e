package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.Cookie;
import com.microsoft.playwright.options.SameSiteAttribute;
import com.microsoft.playwright.options.WaitForSelectorState;
import dev.weft.node.Json;
import dev.weft.node.admin.AdminAccess;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real browser (Debian's headless Chromium, driven by Playwright) against two
 * real nodes linked by a TCP and a KCP stream, with a session between them: it logs in with the
 * code {@code weft dashboard} prints, shows both streams, follows a migration made with the CLI
 * within a second, and a migration clicked on the page happens on the node.
 *
 * <p>With {@code -Dweft.dashboard.screenshot=FILE} it also moves traffic for a few seconds and
 * saves a screenshot there (how docs/dashboard.png was made).
 */
@Timeout(240)
class DashboardTest {
  /** Debian's package; {@code -Dweft.chromium=PATH} for another build. */
  private static final Path CHROMIUM = Path.of(System.getProperty("weft.chromium", "/usr/bin/chromium"));
  /** How long the page may take to show a migration made elsewhere. */
  private static final Duration FOLLOWS_WITHIN = Duration.ofSeconds(1);

  @TempDir
  Path dirs;

  @Test
  void showsAndDrivesALiveMigration() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM), "no Chromium at " + CHROMIUM
        + ", so the dashboard's browser test does not run (apt-get install chromium; .ci/run does)");
    try (Weft.RunningNode a = new Weft.RunningNode(dirs.resolve("a"));
        Weft.RunningNode b = new Weft.RunningNode(dirs.resolve("b"));
        EchoServer echo = new EchoServer()) {
      // Set up through the admin API (each CLI run is a JVM start); what the page does goes by CLI.
      String tcp = admin(a, "/streams", Map.of("peer", b.identity, "endpoint",
          "tcp:127.0.0.1:" + b.tcpPort)).get("id").asText();
      String kcp = admin(a, "/streams", Map.of("peer", b.identity, "endpoint",
          "kcp:127.0.0.1:" + b.kcpPort)).get("id").asText();
      admin(b, "/exposes", Map.of("service", "echo", "target", "127.0.0.1:" + echo.port(),
          "allow", List.of(a.identity)));
      String bind = admin(a, "/forwards", Map.of("bind", "127.0.0.1:0", "peer", b.identity,
          "service", "echo")).get("bind").asText();
      try (Socket client = new Socket("127.0.0.1", Integer.parseInt(bind.substring(bind.lastIndexOf(':') + 1)));
          Playwright playwright = Playwright.create(new Playwright.CreateOptions()
              .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
          // CI runs as root, where Chromium's sandbox refuses to start; containers have a small /dev/shm.
          Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
              .setExecutablePath(CHROMIUM).setHeadless(true).setArgs(List.of("--no-sandbox", "--disable-dev-shm-usage")))) {
        client.setSoTimeout(10_000);
        roundTrip(client, "hello");
        JsonNode session = onlySession(a);
        String id = session.get("id").asText();
        String from = session.get("stream").asText();
        String to = from.equals(tcp) ? kcp : tcp;

        BrowserContext context = browser.newContext(new Browser.NewContextOptions()
            .setViewportSize(1280, 1000));
        context.setDefaultTimeout(10_000);
        Page page = context.newPage();
        AdminAccess access = AdminAccess.read(a.data).orElseThrow();
        page.navigate(access.baseUri() + "/");
        page.getByText("Not logged in").waitFor();

        String login = ok(a.weft("dashboard")).out().trim();
        assertTrue(login.startsWith(access.baseUri() + "/login?code="), login);
        page.navigate(login);
        assertEquals(access.baseUri() + "/", page.url(), "the login code left the address bar");
        Cookie cookie = context.cookies().stream().filter(c -> c.name.equals("weft_dashboard"))
            .findFirst().orElseThrow();
        assertTrue(cookie.httpOnly);
        assertEquals(SameSiteAttribute.STRICT, cookie.sameSite);
        assertFalse(page.content().contains(access.token()), "the page never holds the token");

        page.locator("[data-identity]").getByText(a.identity).waitFor();
        page.locator("[data-stream-card='" + tcp + "']").waitFor();
        page.locator("[data-stream-card='" + kcp + "']").waitFor();
        page.locator(row(id, from)).waitFor();

        ok(a.weft("migrate", id, to));
        long migrated = System.nanoTime();
        page.locator(row(id, to)).waitFor(new Locator.WaitForOptions()
            .setTimeout(FOLLOWS_WITHIN.toMillis()));
        System.out.printf("the page showed the CLI's migration %d ms after the CLI returned%n",
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - migrated));

        page.locator("[data-move-select='" + id + "']").selectOption(from);
        page.locator("[data-move='" + id + "']").click();
        awaitStream(a, id, from);
        page.locator(row(id, from)).waitFor();
        roundTrip(client, "still there after two moves");

        String screenshot = System.getProperty("weft.dashboard.screenshot");
        if (screenshot != null) {
          pumpThenShoot(client, page, Path.of(screenshot));
        }

        // The other actions reach the node too (the browser sends its own Origin with each).
        page.locator("form.add input[name=service]").first().fill("web");
        page.locator("form.add input[name=target]").fill("127.0.0.1:8080");
        page.locator("form.add input[name=public]").check();
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Expose").setExact(true)).click();
        page.locator("[data-unexpose='web']").waitFor();
        assertEquals("web", admin(a, "/exposes", null).get(0).get("service").asText());
        page.locator("[data-unexpose='web']").click();
        page.locator("[data-unexpose='web']").waitFor(new Locator.WaitForOptions()
            .setState(WaitForSelectorState.DETACHED));
        assertEquals(0, admin(a, "/exposes", null).size());

        page.locator("[data-drain='" + from + "']").click();
        page.locator("[data-stream-card='" + from + "']").waitFor(new Locator.WaitForOptions()
            .setState(WaitForSelectorState.DETACHED));
        page.locator(row(id, to)).waitFor();
        assertEquals(1, admin(a, "/streams", null).size());
        awaitStream(a, id, to);
        roundTrip(client, "drained, not dropped");
      }
    }
  }

  private static String row(String session, String stream) {
    return "tr[data-session='" + session + "'][data-stream='" + stream + "']";
  }

  private static void roundTrip(Socket client, String text) throws Exception {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    client.getOutputStream().write(bytes);
    assertEquals(text, new String(client.getInputStream().readNBytes(bytes.length), StandardCharsets.UTF_8));
  }

  private static JsonNode onlySession(Weft.RunningNode node) throws Exception {
    JsonNode sessions = admin(node, "/sessions", null);
    assertEquals(1, sessions.size(), sessions.toString());
    return sessions.get(0);
  }

  /** Waits (bounded) until the node reports {@code session} on {@code stream}. */
  private static void awaitStream(Weft.RunningNode node, String session, String stream) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String now;
    do {
      now = onlySession(node).get("stream").asText();
      if (now.equals(stream)) {
        return;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("session " + session + " is on " + now + ", not " + stream
        + ", 10 s after the click");
  }

  /** GETs {@code path}, or POSTs {@code body} to it as JSON, with the node's token. */
  private static JsonNode admin(Weft.RunningNode node, String path, Object body) throws Exception {
    AdminAccess access = AdminAccess.read(node.data).orElseThrow();
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(access.baseUri() + path))
        .header("Authorization", "Bearer " + access.token())
        .timeout(Duration.ofSeconds(30));
    if (body != null) {
      request.header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(Json.mapper().writeValueAsBytes(body)));
    }
    HttpResponse<String> answer = HttpClient.newHttpClient().send(request.build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, answer.statusCode(), answer.body());
    return Json.mapper().readTree(answer.body());
  }

  /** Echoes a few seconds of varying traffic so the sparklines have a shape, then takes the picture. */
  private static void pumpThenShoot(Socket client, Page page, Path file) throws Exception {
    AtomicBoolean done = new AtomicBoolean();
    InputStream in = client.getInputStream();
    Thread reader = new Thread(() -> {
      byte[] sink = new byte[64 * 1024];
      try {
        while (!done.get() && in.read(sink) >= 0) {
          // discard the echo
        }
      } catch (java.io.IOException e) {
        // the socket closed
      }
    }, "dashboard-echo-reader");
    reader.setDaemon(true);
    reader.start();
    OutputStream out = client.getOutputStream();
    byte[] chunk = new byte[16 * 1024];
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (int tick = 0; System.nanoTime() < end; tick++) {
      int chunks = 8 + (int) (24 * Math.abs(Math.sin(tick / 6.0)));
      for (int i = 0; i < chunks; i++) {
        out.write(chunk);
      }
      Thread.sleep(100);
    }
    done.set(true);
    page.screenshot(new Page.ScreenshotOptions().setPath(file).setFullPage(true));
  }

  private static Weft.Output ok(Weft.Output result) {
    assertEquals(0, result.code(), "stdout: " + result.out() + "\nstderr: " + result.err());
    return result;
  }
}
