package dev.weft.it.websocket;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32C;

/**
 * A script-style WebSocket client (the JDK's): counts and checksums every binary byte it
 * receives and records the server's Close. It reads as fast as messages come, or, made with
 * {@code reading} false, not at all until {@link #startReading()}.
 */
final class WebSocketClient implements WebSocket.Listener {
  /** The server's Close. */
  record Closed(int code, String reason) {}

  final CompletableFuture<Closed> closed = new CompletableFuture<>();
  private final CRC32C crc = new CRC32C();
  private final boolean reading;
  private long received;
  WebSocket socket;

  private WebSocketClient(boolean reading) {
    this.reading = reading;
  }

  /** Connects with {@code configure}'s headers and subprotocols. */
  static WebSocketClient connect(URI uri, UnaryOperator<WebSocket.Builder> configure, boolean reading)
      throws Exception {
    WebSocketClient client = new WebSocketClient(reading);
    client.socket = configure.apply(HttpClient.newHttpClient().newWebSocketBuilder())
        .buildAsync(uri, client).get(30, TimeUnit.SECONDS);
    return client;
  }

  static WebSocketClient connect(URI uri, UnaryOperator<WebSocket.Builder> configure) throws Exception {
    return connect(uri, configure, true);
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    if (reading) {
      webSocket.request(1);
    }
  }

  /** Reads everything from now on. */
  void startReading() {
    socket.request(Long.MAX_VALUE);
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    synchronized (this) {
      received += data.remaining();
      crc.update(data);
    }
    if (reading) {
      webSocket.request(1);
    }
    return null;
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    closed.completeExceptionally(new AssertionError("the node sent text: " + data));
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed.complete(new Closed(statusCode, reason));
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.completeExceptionally(error);
  }

  /** Bytes received so far and their checksum. */
  synchronized Transfer received() {
    return new Transfer(received, crc.getValue());
  }
}
