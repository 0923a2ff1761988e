package dev.weft.cli;

import dev.weft.node.Json;
import dev.weft.node.ServiceName;
import dev.weft.node.admin.AdminAccess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "connect", description = "Open one session to PEER's SERVICE and pipe it to "
    + "stdin/stdout; EOF on stdin half-closes it. Ends when the peer finishes sending.")
final class ConnectCommand extends WeftCommand {
  @Parameters(index = "0", paramLabel = "PEER")
  String peer;

  @Parameters(index = "1", paramLabel = "SERVICE")
  String service;

  @Override
  public void run() {
    byte[] body = json(Map.of("peer", peer(peer).toString(), "service", ServiceName.check(service)));
    AdminAccess access = admin().access();
    try (Socket socket = open(access)) {
      OutputStream toNode = socket.getOutputStream();
      toNode.write(("POST /connect HTTP/1.1\r\nHost: " + access.host() + "\r\n"
          + "Authorization: Bearer " + access.token() + "\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      toNode.write(body);
      toNode.flush();
      InputStream fromNode = socket.getInputStream();
      expectOk(fromNode);
      Thread pump = new Thread(() -> pumpStdin(socket), "weft-connect-stdin");
      pump.setDaemon(true);
      pump.start();
      fromNode.transferTo(System.out);
      System.out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Socket open(AdminAccess access) throws IOException {
    try {
      return new Socket(access.host(), access.port());
    } catch (ConnectException e) {
      throw AdminClient.notRunning(dataDir());
    }
  }

  private static void pumpStdin(Socket socket) {
    try {
      System.in.transferTo(socket.getOutputStream());
      socket.shutdownOutput();
    } catch (IOException e) {
      // the session ended first; the main thread reports what the node said
    }
  }

  /** Reads the response head byte by byte (so no session byte is consumed); fails unless 200. */
  private static void expectOk(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      head.write(b);
      String text = head.toString(StandardCharsets.ISO_8859_1);
      if (text.endsWith("\r\n\r\n")) {
        if (text.startsWith("HTTP/1.1 200")) {
          return;
        }
        throw new Failure(errorOf(in, text));
      }
      if (head.size() > 16 * 1024) {
        break;
      }
    }
    throw new Failure("the node closed the connection without an answer");
  }

  private static String errorOf(InputStream in, String head) throws IOException {
    String status = head.lines().findFirst().orElse("");
    try {
      Object error = AdminJson.object(in.readNBytes(AdminClient.MAX_ANSWER)).get("error");
      return error instanceof String text ? text : status;
    } catch (IOException | Failure e) {
      return status;
    }
  }

  private static byte[] json(Object value) {
    try {
      return Json.mapper().writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
