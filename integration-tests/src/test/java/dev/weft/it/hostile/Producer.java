package dev.weft.it.hostile;

import dev.weft.node.HostPort;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local TCP service that sends every connection the {@link Background#pattern} without end, as
 * fast as it is read: a bridged target whose output the node holds while its peer does not
 * acknowledge it.
 */
final class Producer implements AutoCloseable {
  private static final int CHUNK = 64 * 1024;

  private final ServerSocket server;
  private final List<Socket> connections = new CopyOnWriteArrayList<>();

  private Producer(ServerSocket server) {
    this.server = server;
  }

  static Producer start() throws IOException {
    Producer producer = new Producer(new ServerSocket(0, 64, InetAddress.getLoopbackAddress()));
    daemon("producer-accept", producer::accept);
    return producer;
  }

  HostPort address() {
    return HostPort.parse("127.0.0.1:" + server.getLocalPort());
  }

  private void accept() {
    try {
      while (true) {
        Socket socket = server.accept();
        connections.add(socket);
        daemon("producer", () -> produce(socket));
      }
    } catch (IOException closed) {
      // the test is over
    }
  }

  private static void produce(Socket socket) {
    byte[] chunk = new byte[CHUNK];
    try (socket; OutputStream out = socket.getOutputStream()) {
      for (long offset = 0; ; offset += CHUNK) {
        for (int i = 0; i < CHUNK; i++) {
          chunk[i] = Background.pattern(offset + i);
        }
        out.write(chunk);
      }
    } catch (IOException closed) {
      // the session ended
    }
  }

  private static void daemon(String name, Runnable task) {
    Thread t = new Thread(task, name);
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : connections) {
      s.close();
    }
  }
}
