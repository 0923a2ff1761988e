package dev.weft.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.link.Stream;
import dev.weft.link.StreamId;
import dev.weft.link.Transport;
import dev.weft.mux.Session;
import dev.weft.mux.SessionHandler;
import dev.weft.mux.SessionResetException;
import dev.weft.mux.SessionState;
import dev.weft.node.Node;
import dev.weft.node.NodeConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * The victim's honest peer, in this JVM: linked over TCP and over KCP, with one session to the
 * victim's echo service that must live through every attack untouched (never reset, never moved).
 * A {@link Transfer} writes {@link Background#pattern} into it and checks every echoed byte in
 * order.
 */
final class HonestPeer implements AutoCloseable {
  private static final int CHUNK = 64 * 1024;
  /** Bytes written but not yet echoed, at most: well inside what the echo may queue (1 MiB). */
  private static final long AHEAD = 256 * 1024;
  private static final Duration STALL = Duration.ofSeconds(30);
  /** The shortest transfer: a rate over less would mostly measure its start. */
  private static final Duration AT_LEAST = Duration.ofSeconds(1);

  final Node node;
  private final VictimProcess victim;
  private final Session session;
  private final long stream;
  private final List<StreamId> streams;
  private final AtomicReference<String> failure = new AtomicReference<>();
  /** Guarded by this: offsets of the pattern written and echoed back intact. */
  private long written;
  private long echoed;

  private HonestPeer(Node node, VictimProcess victim, Session session, List<StreamId> streams) {
    this.node = node;
    this.victim = victim;
    this.session = session;
    this.stream = session.streamId();
    this.streams = streams;
    session.handler(new Checker());
  }

  /**
   * The honest node's own silent-path detector, slowed: the victim shares two cores with four
   * attackers flooding it, and in CI and here went silent for ~0.8 s while the out-of-order
   * attack's 32 MiB came in, which the default (3 probe timeouts, at least 250 ms each) reads as
   * a dead path, and moves the session. That is the honest node's doing, not the victim's, and
   * SilentPathTest covers it; here a move must mean the attack reached the honest session.
   */
  private static final Duration SUSPECT_FLOOR = Duration.ofSeconds(2);

  static HonestPeer start(Path dir, VictimProcess victim) throws Exception {
    Node node = Node.start(NodeConfig.builder(dir.resolve("honest")).createIdentity(true)
        .mux(VictimMain.WINDOWS.withSuspicion(3, SUSPECT_FLOOR)).build());
    try {
      Stream tcp = node.link(victim.identity(), victim.endpoint(Transport.TCP)).get(20, TimeUnit.SECONDS);
      Stream kcp = node.link(victim.identity(), victim.endpoint(Transport.KCP)).get(20, TimeUnit.SECONDS);
      Session session = node.open(victim.identity(), VictimMain.ECHO).get(20, TimeUnit.SECONDS);
      return new HonestPeer(node, victim, session, List.of(tcp.id(), kcp.id()));
    } catch (Exception e) {
      node.close();
      throw e;
    }
  }

  private final class Checker implements SessionHandler {
    @Override
    public void onData(Session s, ByteBuf data) {
      try {
        byte[] bytes = ByteBufUtil.getBytes(data);
        synchronized (HonestPeer.this) {
          for (byte b : bytes) {
            if (b != Background.pattern(echoed)) {
              fail("echoed byte " + echoed + " is corrupt");
              return;
            }
            echoed++;
          }
          HonestPeer.this.notifyAll();
        }
      } finally {
        data.release();
      }
    }

    @Override
    public void onReset(Session s, SessionResetException cause) {
      fail("the honest session was reset: " + cause.getMessage());
    }
  }

  private synchronized void fail(String why) {
    failure.compareAndSet(null, why);
    notifyAll();
  }

  /** Bytes moved and the time they took; intact, or the transfer would have failed. */
  record Rate(long bytes, Duration took) {
    double bytesPerSecond() {
      return bytes * 1e9 / Math.max(1, took.toNanos());
    }

    @Override
    public String toString() {
      return String.format("%.1f MiB in %d ms (%.2f MiB/s)", bytes / 1048576.0, took.toMillis(),
          bytesPerSecond() / 1048576.0);
    }
  }

  /** A transfer running until {@link #finish()}; closing it only stops the writer. */
  final class Transfer implements AutoCloseable {
    private final long from;
    private final long start = System.nanoTime();
    private final Thread writer = new Thread(this::write, "honest-writer");
    private volatile boolean stopping;

    private Transfer() {
      synchronized (HonestPeer.this) {
        from = written;
      }
      writer.setDaemon(true);
      writer.start();
    }

    private void write() {
      byte[] chunk = new byte[CHUNK];
      try {
        while (!stopping) {
          long offset;
          synchronized (HonestPeer.this) {
            awaitEcho(written + CHUNK - AHEAD);
            offset = written;
            written += CHUNK;
          }
          for (int i = 0; i < CHUNK; i++) {
            chunk[i] = Background.pattern(offset + i);
          }
          session.write(Unpooled.copiedBuffer(chunk)).exceptionally(e -> {
            fail("the honest write failed: " + e);
            return null;
          });
        }
      } catch (InterruptedException e) {
        if (!stopping) {
          fail("the honest writer was interrupted");
        }
      } catch (AssertionError e) {
        fail("the honest writer stopped: " + e.getMessage());
      }
    }

    /** Stops writing, waits until all that was written is echoed back intact; fails otherwise. */
    Rate finish() throws InterruptedException {
      TimeUnit.NANOSECONDS.sleep(start + AT_LEAST.toNanos() - System.nanoTime());
      close();
      synchronized (HonestPeer.this) {
        awaitEcho(written);
        return new Rate(echoed - from, Duration.ofNanos(System.nanoTime() - start));
      }
    }

    @Override
    public void close() throws InterruptedException {
      stopping = true;
      writer.interrupt();
      writer.join(STALL.toMillis());
    }
  }

  /** With this lock held: waits until {@code offset} is echoed, failing on corruption or a stall. */
  private void awaitEcho(long offset) throws InterruptedException {
    long deadline = System.nanoTime() + STALL.toNanos();
    while (echoed < offset && failure.get() == null) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("the honest transfer stalled at " + echoed + " of " + offset + " bytes");
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
  }

  Transfer transfer() {
    return new Transfer();
  }

  /**
   * Fails unless the honest session is as it was: open, on its first stream, never moved, both
   * streams up, and the victim's admin API shows it the same way.
   */
  void assertUntouched() throws Exception {
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
    assertEquals(SessionState.OPEN, session.state());
    assertEquals(stream, session.streamId(), "the honest session was moved");
    assertEquals(0, session.migrations(), "the honest session was moved");
    assertEquals(Set.copyOf(streams),
        node.peer(victim.identity()).orElseThrow().streams().stream().map(Stream::id).collect(Collectors.toSet()),
        "the honest peer's streams");
    String id = session.id().toString();
    List<JsonNode> rows = rowsOf(victim.sessions(), id);
    assertEquals(1, rows.size(), "the victim lists the honest session once: " + rows);
    assertEquals(node.identity().toString(), rows.get(0).get("peer").asText());
    assertEquals(new StreamId(stream).toString(), rows.get(0).get("stream").asText());
    assertEquals("OPEN", rows.get(0).get("state").asText());
    assertEquals(0, rows.get(0).get("migrations").asInt());
  }

  static List<JsonNode> rowsOf(JsonNode sessions, String id) {
    List<JsonNode> rows = new ArrayList<>();
    sessions.forEach(row -> {
      if (row.get("id").asText().equals(id)) {
        rows.add(row);
      }
    });
    return rows;
  }

  /** The honest session's id on the wire. */
  long sessionId() {
    return session.id().value();
  }

  @Override
  public void close() {
    node.close();
  }
}
