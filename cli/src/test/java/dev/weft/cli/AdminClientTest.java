package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.node.admin.AdminAccess;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The socket admin client against a loopback server that answers each connection with scripted
 * bytes: every framing a node may use, errors, broken answers and the event stream.
 */
@Timeout(20)
class AdminClientTest {
  private static final String TOKEN = "c0ffee";

  @TempDir
  Path data;
  private ServerSocket server;
  private final CompletableFuture<String> request = new CompletableFuture<>();

  @BeforeEach
  void listen() throws IOException {
    server = new ServerSocket(0);
    new AdminAccess("127.0.0.1", server.getLocalPort(), TOKEN).write(data);
  }

  @AfterEach
  void close() throws IOException {
    server.close();
  }

  /** Answers the next connection with {@code answer}, then closes it unless {@code keepOpen}. */
  private void answer(String answer) {
    Thread thread = new Thread(() -> {
      try (Socket socket = server.accept()) {
        request.complete(readRequest(socket.getInputStream()));
        OutputStream out = socket.getOutputStream();
        out.write(answer.getBytes(StandardCharsets.UTF_8));
        out.flush();
      } catch (IOException e) {
        request.completeExceptionally(e);
      }
    }, "scripted-admin");
    thread.setDaemon(true);
    thread.start();
  }

  /** The head and, if it announced one, the body of one request. */
  private static String readRequest(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b == -1) {
        break;
      }
      head.write(b);
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    int length = text.lines().filter(l -> l.startsWith("Content-Length: "))
        .mapToInt(l -> Integer.parseInt(l.substring(16))).findFirst().orElse(0);
    return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }

  private String get(String answer) {
    answer(answer);
    return new String(AdminClient.forDataDir(data).get("/sessions"), StandardCharsets.UTF_8);
  }

  private String failure(String answer) {
    answer(answer);
    return assertThrows(Failure.class, () -> AdminClient.forDataDir(data).get("/sessions")).getMessage();
  }

  @Test
  void sendsTheTokenAndReadsAContentLengthBody() throws Exception {
    assertEquals("[1]", get("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n[1]"));
    String sent = request.get(5, TimeUnit.SECONDS);
    assertTrue(sent.startsWith("GET /sessions HTTP/1.1\r\n"), sent);
    assertTrue(sent.contains("\r\nAuthorization: Bearer " + TOKEN + "\r\n"), sent);
    assertTrue(sent.contains("\r\nHost: 127.0.0.1:" + server.getLocalPort() + "\r\n"), sent);
  }

  @Test
  void postsTheBodyWithItsLength() throws Exception {
    answer("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n{\"id\":\"ab\"}\n");
    byte[] answer = AdminClient.forDataDir(data).post("/streams", Map.of("peer", "bob"));
    assertEquals("ab", AdminJson.object(answer).get("id"));
    String sent = request.get(5, TimeUnit.SECONDS);
    assertTrue(sent.startsWith("POST /streams HTTP/1.1\r\n"), sent);
    assertTrue(sent.contains("\r\nContent-Length: 14\r\n") && sent.endsWith("\r\n\r\n{\"peer\":\"bob\"}"), sent);
  }

  @Test
  void readsAChunkedBodyWithExtensionsAndTrailers() {
    assertEquals("[{\"a\":1},{\"b\":2}]", get("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "1\r\n[\r\n7;ext=x\r\n{\"a\":1}\r\n9\r\n,{\"b\":2}]\r\n0\r\nX-Trailer: t\r\n\r\n"));
  }

  @Test
  void readsABodyThatEndsWithTheConnection() {
    assertEquals("[]", get("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[]"));
  }

  @Test
  void anErrorAnswerBecomesTheNodesMessage() {
    assertEquals("no session 12", failure("HTTP/1.1 404 Not Found\r\nContent-Length: 25\r\n\r\n"
        + "{\"error\":\"no session 12\"}"));
    assertEquals("admin API answered HTTP 500", failure(
        "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\noops"));
  }

  @Test
  void brokenAnswersFailWithWhatIsWrong() {
    assertTrue(failure("SSH-2.0-OpenSSH_9.2\r\n\r\n").contains("not an HTTP/1.1 answer"));
    assertTrue(failure("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n[1,").contains("7 bytes before"));
    assertTrue(failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").contains("chunk size"));
    assertTrue(failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n[1").contains("inside a chunk"));
    assertTrue(failure("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n").contains("Content-Length"));
    assertTrue(failure("HTTP/1.1 200 OK\r\nX: " + "y".repeat(LoopbackHttp.MAX_LINE) + "\r\n\r\n")
        .contains("longer than"));
  }

  @Test
  void theEventStreamArrivesLineByLineAcrossChunks() throws Exception {
    answer("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "6\r\ndata: \r\n10\r\n{\"type\":\"one\"}\n\n\r\n"
        + "16\r\ndata: {\"type\":\"two\"}\n\n\r\n0\r\n\r\n");
    List<String> lines = new ArrayList<>();
    try (BufferedReader events = new BufferedReader(new InputStreamReader(
        AdminClient.forDataDir(data).events(), StandardCharsets.UTF_8))) {
      for (String line = events.readLine(); line != null; line = events.readLine()) {
        lines.add(line);
      }
    }
    assertEquals(List.of("data: {\"type\":\"one\"}", "", "data: {\"type\":\"two\"}", ""), lines);
    assertTrue(request.get(5, TimeUnit.SECONDS).startsWith("GET /events HTTP/1.1\r\n"));
  }

  @Test
  void noListenerOrNoAdminFileMeansNoNodeRuns() throws IOException {
    server.close();
    assertEquals("no node is running for " + data,
        assertThrows(Failure.class, () -> AdminClient.forDataDir(data).get("/status")).getMessage());
    AdminAccess.delete(data);
    assertEquals("no node is running for " + data,
        assertThrows(Failure.class, () -> AdminClient.forDataDir(data)).getMessage());
  }
}
