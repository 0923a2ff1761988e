package dev.weft.it.migration;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy on loopback in front of a node's listener: the path a TCP stream takes, so a test
 * can reset it abruptly (RST to both ends, nothing said at the link layer) or make it slower.
 * It keeps accepting after a reset, like a network that comes back.
 */
final class TcpRelay implements AutoCloseable {
  private static final int CHUNK = 64 * 1024;
  /** Chunks held per direction: bounds the relay's memory, the sender then waits on TCP. */
  private static final int QUEUE = 64;

  private record HeldBytes(long due, byte[] bytes) {}

  private static final HeldBytes END = new HeldBytes(0, new byte[0]);

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile long delayNanos;

  TcpRelay(InetSocketAddress target) throws IOException {
    this.target = target;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    daemon("tcp-relay-accept", this::accept);
  }

  int port() {
    return server.getLocalPort();
  }

  /** From now on each direction holds bytes back this long (a longer round trip). */
  void delay(Duration oneWay) {
    delayNanos = oneWay.toNanos();
  }

  /** Resets every connection through the relay: both ends get an RST. */
  void reset() {
    for (Socket s : sockets) {
      try {
        s.setSoLinger(true, 0);
        s.close();
      } catch (IOException e) {
        // already gone: that is what we wanted
      }
    }
    sockets.clear();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket in = server.accept();
        Socket out = new Socket();
        out.connect(target);
        for (Socket s : new Socket[] {in, out}) {
          s.setTcpNoDelay(true);
          sockets.add(s);
        }
        pipe(in, out);
        pipe(out, in);
      } catch (IOException e) {
        // closed, or the target refused: the client sees its connection drop
      }
    }
  }

  /** One direction: a reader thread and a writer thread joined by a bounded delay line. */
  private void pipe(Socket from, Socket to) {
    BlockingQueue<HeldBytes> line = new ArrayBlockingQueue<>(QUEUE);
    daemon("tcp-relay-read", () -> {
      try (InputStream in = from.getInputStream()) {
        byte[] buffer = new byte[CHUNK];
        for (int n; (n = in.read(buffer)) != -1; ) {
          line.put(new HeldBytes(System.nanoTime() + delayNanos, Arrays.copyOf(buffer, n)));
        }
        to.shutdownOutput();
      } catch (IOException | InterruptedException e) {
        // reset or closed
      } finally {
        line.offer(END);
      }
    });
    daemon("tcp-relay-write", () -> {
      try (OutputStream out = to.getOutputStream()) {
        for (HeldBytes h; (h = line.take()) != END; ) {
          long wait = h.due() - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait); // emulated latency, not synchronisation
          }
          out.write(h.bytes());
        }
      } catch (IOException | InterruptedException e) {
        // reset or closed
      }
    });
  }

  static void daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
  }

  /** Stops accepting and resets what is open. */
  @Override
  public void close() throws IOException {
    server.close();
    reset();
  }
}
