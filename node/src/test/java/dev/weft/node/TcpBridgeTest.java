package dev.weft.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.weft.link.Endpoint;
import dev.weft.link.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forward → expose over real sockets with several event loops per node, so that most forwarded
 * connections are accepted on another loop than their session's and must move to it (and most
 * target connections are made on the session's loop) before any byte flows.
 */
@Timeout(60)
class TcpBridgeTest {
  private static final int CONNECTIONS = 16;
  private static final int BYTES = 1 << 20;

  @TempDir
  Path dirA;
  @TempDir
  Path dirB;
  Node a;
  Node b;
  ServerSocket echoServer;
  final ConcurrentLinkedQueue<Socket> echoSockets = new ConcurrentLinkedQueue<>();
  final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "bridge-test");
    t.setDaemon(true);
    return t;
  });

  private static Node start(Path dir) throws Exception {
    return Node.start(NodeConfig.builder(dir).createIdentity(true).threads(4)
        .listen("tcp:127.0.0.1:0").build());
  }

  @BeforeEach
  void start() throws Exception {
    a = start(dirA);
    b = start(dirB);
    echoServer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.execute(this::serveEcho);
  }

  @AfterEach
  void stop() throws IOException {
    a.close();
    b.close();
    echoServer.close();
    for (Socket s : echoSockets) {
      s.close();
    }
    threads.shutdownNow();
  }

  /** A plain TCP echo target: each connection sends back what it reads, then half-closes. */
  private void serveEcho() {
    try {
      while (true) {
        Socket s = echoServer.accept();
        echoSockets.add(s);
        threads.execute(() -> {
          try (InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            in.transferTo(out);
            s.shutdownOutput();
          } catch (IOException e) {
            // the test's end closed it
          }
        });
      }
    } catch (IOException e) {
      // closed at the end of the test
    }
  }

  @Test
  void manyForwardedConnectionsEachCarryTheirOwnBytesBothWays() throws Exception {
    echoesThroughAForward(CONNECTIONS, BYTES);
  }

  /**
   * A client that writes a little and half-closes at once: its bytes and its EOF can reach the
   * socket's pipeline (epoll reads on RDHUP even with auto-read off) before the session is open.
   */
  @Test
  void bytesAndEndOfInputThatArriveBeforeTheSessionOpensAreKept() throws Exception {
    echoesThroughAForward(64, 100);
  }

  private void echoesThroughAForward(int connections, int bytes) throws Exception {
    int port = b.listeners().stream().filter(e -> e.transport() == Transport.TCP).findFirst().orElseThrow().port();
    a.link(b.identity(), new Endpoint(Transport.TCP, "127.0.0.1", port)).get(10, TimeUnit.SECONDS);
    b.expose(new Expose("echo", new HostPort("127.0.0.1", echoServer.getLocalPort()), Set.of(a.identity()), false));
    Forward forward = a.forward(new Forward(new HostPort("127.0.0.1", 0), b.identity(), "echo"))
        .get(10, TimeUnit.SECONDS);

    List<CompletableFuture<Void>> clients = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      byte[] data = new byte[bytes];
      new Random(i).nextBytes(data);
      clients.add(CompletableFuture.runAsync(() -> assertEchoed(forward.bind().port(), data), threads));
    }
    CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(45, TimeUnit.SECONDS);
  }

  private static void assertEchoed(int port, byte[] data) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> {
        try {
          return s.getInputStream().readAllBytes();
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      s.getOutputStream().write(data);
      s.shutdownOutput();
      assertArrayEquals(data, back.get(40, TimeUnit.SECONDS));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
