package dev.weft.cli;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket: all the admin client needs for the node's own listener. One request
 * per connection ({@code Connection: close}); answers framed by Content-Length, chunked transfer
 * coding or the end of the connection. Loads a few classes where java.net.http loads hundreds (and
 * TLS with them) and starts a selector thread.
 */
final class LoopbackHttp {
  /** A status line or header longer than this is not from a weft node. */
  static final int MAX_LINE = 8 * 1024;
  private static final int MAX_HEADERS = 100;
  private static final int CONNECT_TIMEOUT_MS = 5_000;

  /** The status and the body of an answer; closing the body closes the connection. */
  record Response(int status, InputStream body) {
    /** The whole body, refused past {@code max} bytes. */
    byte[] bytes(int max) throws IOException {
      try (InputStream in = body) {
        byte[] all = in.readNBytes(max + 1);
        if (all.length > max) {
          throw new IOException("answer larger than " + max + " bytes");
        }
        return all;
      }
    }
  }

  private final String host;
  private final int port;

  LoopbackHttp(String host, int port) {
    this.host = host;
    this.port = port;
  }

  /**
   * Sends one request and reads the answer's head; {@code readTimeoutMs} 0 waits forever (event
   * streams). {@code body} null sends none.
   */
  Response exchange(String method, String path, String token, byte[] body, int readTimeoutMs)
      throws IOException {
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
      socket.setSoTimeout(readTimeoutMs);
      OutputStream out = new BufferedOutputStream(socket.getOutputStream());
      StringBuilder head = new StringBuilder()
          .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
          .append("Host: ").append(host.contains(":") ? "[" + host + "]" : host).append(':').append(port)
          .append("\r\nAuthorization: Bearer ").append(token)
          .append("\r\nConnection: close\r\n");
      if (body != null) {
        head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
      }
      out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        out.write(body);
      }
      out.flush();
      return read(socket, new BufferedInputStream(socket.getInputStream()));
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  private static Response read(Socket socket, InputStream in) throws IOException {
    int status = status(line(in));
    long length = -1;
    boolean chunked = false;
    int headers = 0;
    for (String header = line(in); !header.isEmpty(); header = line(in)) {
      if (++headers > MAX_HEADERS) {
        throw new IOException("more than " + MAX_HEADERS + " header lines");
      }
      int colon = header.indexOf(':');
      if (colon <= 0) {
        throw new IOException("malformed header line: " + header);
      }
      String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = header.substring(colon + 1).trim();
      if (name.equals("content-length")) {
        length = contentLength(value);
      } else if (name.equals("transfer-encoding")) {
        chunked = value.toLowerCase(Locale.ROOT).endsWith("chunked");
      }
    }
    InputStream body;
    if (chunked) {
      body = new ChunkedBody(in);
    } else if (length >= 0) {
      body = new ByteArrayInputStream(exactly(in, length));
      socket.close();
    } else {
      body = in;
    }
    return new Response(status, new FilterInputStream(body) {
      @Override
      public void close() throws IOException {
        socket.close();
      }
    });
  }

  private static int status(String line) throws IOException {
    // HTTP/1.1 200 OK
    if (!line.startsWith("HTTP/1.") || line.length() < 12 || line.charAt(8) != ' ') {
      throw new IOException("not an HTTP/1.1 answer: " + line);
    }
    try {
      return Integer.parseInt(line.substring(9, 12));
    } catch (NumberFormatException e) {
      throw new IOException("malformed status line: " + line);
    }
  }

  private static long contentLength(String value) throws IOException {
    try {
      long length = Long.parseLong(value);
      if (length >= 0) {
        return length;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IOException("malformed Content-Length: " + value);
  }

  private static byte[] exactly(InputStream in, long length) throws IOException {
    if (length > AdminClient.MAX_ANSWER) {
      throw new IOException("answer of " + length + " bytes is larger than " + AdminClient.MAX_ANSWER);
    }
    byte[] body = in.readNBytes((int) length);
    if (body.length < length) {
      throw new EOFException("the connection closed " + (length - body.length) + " bytes before the answer's end");
    }
    return body;
  }

  /** One CRLF- (or LF-) terminated line without its terminator, at most {@link #MAX_LINE} bytes. */
  static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(64);
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b == -1) {
        throw new EOFException("the connection closed inside the answer's head");
      }
      if (line.size() == MAX_LINE) {
        throw new IOException("line longer than " + MAX_LINE + " bytes");
      }
      line.write(b);
    }
    String text = line.toString(StandardCharsets.ISO_8859_1);
    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
  }
}
