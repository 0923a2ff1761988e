package dev.weft.it.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.weft.node.Access;
import dev.weft.node.HostPort;
import dev.weft.node.Node;
import dev.weft.node.NodeConfig;
import dev.weft.node.admin.AdminAccess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real browser (headless Chromium) opens sessions through node A's WebSocket route from a page
 * on an origin listed with {@code adminOrigin}, authenticating with the token subprotocol: bytes
 * go to B's echo service and back, the browser's close half-closes the session, and a reset
 * reaches the page as close code 4006 with its text.
 */
@Timeout(120)
class BrowserWebSocketTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final int BYTES = 1 << 20;

  @TempDir
  Path dir;

  @Test
  void aBrowserMovesBytesBothWaysAndSeesCloseCodes() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM), "needs chromium (.ci/run installs it)");
    BlockingQueue<String> results = new LinkedBlockingQueue<>();
    HttpServer web = page(results);
    web.start();
    String origin = "http://127.0.0.1:" + web.getAddress().getPort();
    Process browser = null;
    try (Node b = Node.start(NodeConfig.builder(dir.resolve("b")).createIdentity(true)
            .listen("tcp:127.0.0.1:0").build());
        Node a = Node.start(NodeConfig.builder(dir.resolve("a")).createIdentity(true)
            .admin(HostPort.parse("127.0.0.1:0"), false).adminOrigin(origin).build())) {
      b.expose("echo", (session, peer) -> echo(session.inputStream(), session.outputStream()),
          Access.anyone());
      b.expose("reset", (session, peer) -> session.reset("asked to reset"), Access.anyone());
      a.link(b.identity(), b.listeners().get(0)).get(30, TimeUnit.SECONDS);
      AdminAccess admin = AdminAccess.read(dir.resolve("a")).orElseThrow();

      browser = new ProcessBuilder(CHROMIUM.toString(), "--headless=new", "--no-sandbox",
          "--disable-gpu", "--no-first-run", "--user-data-dir=" + dir.resolve("chromium"),
          origin + "/page.html?port=" + admin.port() + "&token=" + admin.token()
              + "&peer=" + b.identity() + "&bytes=" + BYTES)
          .redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile()).start();

      Map<String, String> seen = new HashMap<>();
      while (seen.size() < 4) {
        String result = results.poll(60, TimeUnit.SECONDS);
        if (result == null) {
          throw new AssertionError("the page reported only " + seen + "; chromium said:\n"
              + Files.readString(dir.resolve("chromium.log")));
        }
        String[] words = result.split(" ", 3);
        seen.put(words[0] + " " + words[1], words[2]);
      }
      assertEquals("weft", seen.get("echo open"), "only the non-secret subprotocol is echoed");
      assertEquals(BYTES + " sum " + expectedSum(), seen.get("echo got"));
      assertEquals("1000 the service finished sending", seen.get("echo close"));
      assertEquals("4006 asked to reset", seen.get("reset close"));
    } finally {
      if (browser != null) {
        Stream.concat(browser.descendants(), Stream.of(browser.toHandle()))
            .forEach(ProcessHandle::destroyForcibly);
        browser.waitFor(10, TimeUnit.SECONDS);
      }
      web.stop(0);
    }
  }

  /** What the page sends: byte i is i * 31 mod 251; it sums what comes back modulo 1e9+7. */
  private static long expectedSum() {
    long sum = 0;
    for (long i = 0; i < BYTES; i++) {
      sum = (sum + i * 31 % 251) % 1_000_000_007;
    }
    return sum;
  }

  /** Serves page.html and collects the page's reports. */
  private static HttpServer page(BlockingQueue<String> results) throws IOException {
    HttpServer web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    byte[] html;
    try (InputStream in = BrowserWebSocketTest.class.getResourceAsStream("page.html")) {
      html = in.readAllBytes();
    }
    web.createContext("/page.html", exchange -> {
      exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
      exchange.sendResponseHeaders(200, html.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(html);
      }
    });
    web.createContext("/result", exchange -> {
      results.add(URLDecoder.decode(exchange.getRequestURI().getRawQuery(), StandardCharsets.UTF_8));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    return web;
  }

  /** B's echo: every byte back, then the end once the browser's side ended. */
  private static void echo(InputStream in, OutputStream out) {
    Thread worker = new Thread(() -> {
      try (in; out) {
        in.transferTo(out);
      } catch (IOException e) {
        // the session was reset: nothing to echo to
      }
    }, "echo");
    worker.setDaemon(true);
    worker.start();
  }
}
