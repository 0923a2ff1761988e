package dev.weft.cli;

import dev.weft.identity.Identity;
import dev.weft.identity.IdText;
import dev.weft.link.Endpoint;
import dev.weft.link.Stream;
import dev.weft.link.Transport;
import dev.weft.mux.Session;
import dev.weft.node.Access;
import dev.weft.node.Event;
import dev.weft.node.Node;
import dev.weft.node.NodeConfig;
import dev.weft.node.Subscription;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.CRC32C;
import picocli.CommandLine.Command;

@Command(name = "demo", description = "Two nodes on loopback: link over TCP and KCP, push data "
    + "through a session while migrating it live between the streams, then summarise.")
final class DemoCommand extends WeftCommand {
  private static final long TOTAL = 32L << 20;
  private static final int CHUNK = 64 * 1024;
  private static final long WAIT_SECONDS = 30;
  /** slf4j-simple's setting for where log lines go, read when the first logger is made. */
  private static final String LOG_FILE = "org.slf4j.simpleLogger.logFile";

  @Override
  public void run() {
    PrintWriter out = out();
    Path dirA = null;
    Path dirB = null;
    try {
      out.println("node logs  " + logToFile());
      dirA = Files.createTempDirectory("weft-demo-a");
      dirB = Files.createTempDirectory("weft-demo-b");
      // The dialling node stops first so the listener is still there to see its streams close.
      try (Node b = start(dirB); Node a = start(dirA)) {
        demo(a, b, out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure("interrupted");
    } catch (ExecutionException e) {
      throw new Failure("demo failed: " + e.getCause().getMessage());
    } catch (TimeoutException e) {
      throw new Failure("demo failed: no answer within " + WAIT_SECONDS + " s");
    } finally {
      delete(dirA);
      delete(dirB);
    }
  }

  /**
   * The two nodes' log lines go to a file of their own so that they do not mix with the demo's
   * output. Nothing has logged yet in this process: the demo is its only command.
   */
  private static Path logToFile() throws IOException {
    Path log = Files.createTempFile("weft-demo-", ".log");
    System.setProperty(LOG_FILE, log.toString());
    return log;
  }

  private static Node start(Path dir) throws IOException {
    return Node.start(NodeConfig.builder(dir).createIdentity(true).threads(1)
        .listen("tcp:127.0.0.1:0").listen("kcp:127.0.0.1:0").build());
  }

  private void demo(Node a, Node b, PrintWriter out)
      throws IOException, InterruptedException, ExecutionException, TimeoutException {
    out.println("node A  " + a.identity());
    out.println("node B  " + b.identity() + "  listening on " + b.listeners());
    b.expose("checksum", DemoCommand::checksum, Access.only(java.util.Set.of(a.identity())));
    out.println("B exposes 'checksum' to A only: it reads everything, then answers with a CRC32C");
    Stream tcp = a.link(b.identity(), loopback(b, Transport.TCP)).get(WAIT_SECONDS, TimeUnit.SECONDS);
    Stream kcp = a.link(b.identity(), loopback(b, Transport.KCP)).get(WAIT_SECONDS, TimeUnit.SECONDS);
    out.println("A linked B by identity: stream " + tcp.id() + " (tcp), stream " + kcp.id() + " (kcp)");

    Subscription events = a.subscribe(1024);
    Session session = a.open(b.identity(), "checksum").get(WAIT_SECONDS, TimeUnit.SECONDS);
    out.println("session " + session.id() + " opened on stream "
        + IdText.of(session.streamId()) + "; sending " + Human.bytes(TOTAL) + " ...");
    out.flush();

    Progress progress = new Progress(out, TOTAL);
    List<Long> plan = List.of(TOTAL / 4, TOTAL / 2, 3 * TOTAL / 4);
    CRC32C sent = new CRC32C();
    Random random = new Random(7);
    byte[] chunk = new byte[CHUNK];
    long start = System.nanoTime();
    long written = 0;
    int next = 0;
    OutputStream toB = session.outputStream();
    while (written < TOTAL) {
      if (next < plan.size() && written >= plan.get(next)) {
        next++;
        Stream to = session.streamId() == tcp.id().value() ? kcp : tcp;
        progress.note("migrating to " + to.transport().scheme() + " stream " + to.id());
        a.migrate(session.id(), to.id()).get(WAIT_SECONDS, TimeUnit.SECONDS);
      }
      random.nextBytes(chunk);
      toB.write(chunk);
      sent.update(chunk);
      written += chunk.length;
      progress.show(written, session.streamId() == tcp.id().value() ? "tcp" : "kcp");
    }
    toB.close();
    byte[] answer;
    try (InputStream fromB = session.inputStream()) {
      answer = fromB.readAllBytes();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    progress.done();
    long received = answer.length == 8 ? ByteBuffer.wrap(answer).getLong() : -1;

    List<Long> pauses = new ArrayList<>();
    for (Event e; (e = events.poll()) != null; ) {
      if (e instanceof Event.MigrationDone done) {
        pauses.add(done.pauseMicros());
      }
    }
    out.println();
    out.println("summary");
    out.printf("  sent        %s in %.2fs (%s/s)%n", Human.bytes(TOTAL), seconds,
        Human.bytes((long) (TOTAL / seconds)));
    out.println("  migrations  " + session.migrations() + " live, between tcp and kcp; write pauses "
        + pauses.stream().sorted(Comparator.naturalOrder()).map(Human::micros).toList());
    out.println("  checksum    sent " + Long.toHexString(sent.getValue()) + ", B received "
        + Long.toHexString(received) + (received == sent.getValue() ? "  ✓ identical" : "  ✗ MISMATCH"));
    out.flush();
    if (received != sent.getValue()) {
      throw new Failure("the data B received differs from what A sent");
    }
  }

  private static Endpoint loopback(Node node, Transport transport) {
    Endpoint bound = node.listeners().stream().filter(e -> e.transport() == transport).findFirst()
        .orElseThrow();
    return new Endpoint(transport, "127.0.0.1", bound.port());
  }

  /** B's service: CRC32C of everything read, sent back as 8 bytes once A half-closes. */
  private static void checksum(Session session, Identity peer) {
    Thread worker = new Thread(() -> {
      CRC32C crc = new CRC32C();
      byte[] buffer = new byte[CHUNK];
      try {
        InputStream in = session.inputStream();
        for (int n; (n = in.read(buffer)) != -1; ) {
          crc.update(buffer, 0, n);
        }
        OutputStream reply = session.outputStream();
        reply.write(ByteBuffer.allocate(8).putLong(crc.getValue()).array());
        reply.close();
      } catch (IOException e) {
        session.reset("checksum service failed: " + e.getMessage());
      }
    }, "weft-demo-checksum");
    worker.setDaemon(true);
    worker.start();
  }

  private static void delete(Path dir) {
    if (dir == null) {
      return;
    }
    try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind is harmless
    }
  }
}
