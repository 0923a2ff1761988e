package dev.weft.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/** A loopback TCP service that sends back every byte and half-closes after the client does. */
final class EchoServer implements AutoCloseable {
  private final ServerSocket server;
  final AtomicInteger connections = new AtomicInteger();

  EchoServer() throws IOException {
    server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "echo-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        connections.incrementAndGet();
        Thread echo = new Thread(() -> echo(socket), "echo");
        echo.setDaemon(true);
        echo.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void echo(Socket socket) {
    try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
      in.transferTo(out);
      socket.shutdownOutput();
    } catch (IOException e) {
      // the client went away
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
