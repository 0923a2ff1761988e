package dev.weft.it.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.link.Endpoint;
import dev.weft.link.Stream;
import dev.weft.link.Transport;
import dev.weft.mux.Reason;
import dev.weft.mux.Session;
import dev.weft.mux.SessionHandler;
import dev.weft.mux.SessionRejectedException;
import dev.weft.node.Access;
import dev.weft.node.Node;
import dev.weft.node.NodeConfig;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded soak: two nodes with a TCP and a KCP stream, sessions opened, filled, echoed, checked
 * and closed without pause, and the KCP stream dropped and relinked now and then (its sessions
 * fail over). Heap after GC, open file descriptors and Netty's pools are sampled: they must stay
 * flat, and Netty's leak detector (PARANOID in tests) must report nothing.
 *
 * <p>{@code -Dweft.soak.seconds=N} sets the length (default 60); {@code mvn -Psoak} runs 30 minutes.
 * Each run writes its samples to {@code target/soak-report.txt}.
 */
class SoakTest {
  private static final long SECONDS = Long.getLong("weft.soak.seconds", 60);
  private static final int WORKERS = 6;
  private static final int MAX_SESSION_BYTES = 512 * 1024;
  private static final Duration RELINK_EVERY = Duration.ofSeconds(15);
  private static final long MAX_HEAP_GROWTH = 24L << 20;
  private static final long MAX_FD_GROWTH = 16;
  private static final Duration STALL = Duration.ofSeconds(60);
  /** Each session's writer runs beside its reader (the common pool may have one thread). */
  private static final ExecutorService WRITERS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "soak-writer");
    t.setDaemon(true);
    return t;
  });
  private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "soak-watchdog");
    t.setDaemon(true);
    return t;
  });

  @TempDir
  Path dir;

  @Test
  void heapFilesAndBuffersStayFlatUnderSessionChurn() throws Exception {
    assertTimeoutPreemptively(Duration.ofSeconds(SECONDS + 120), this::soak);
  }

  private void soak() throws Exception {
    try (Node server = Node.start(NodeConfig.builder(dir.resolve("server")).createIdentity(true)
            .listen("tcp:127.0.0.1:0").listen("kcp:127.0.0.1:0").build());
        Node client = Node.start(NodeConfig.builder(dir.resolve("client")).createIdentity(true).build())) {
      server.expose("echo", (session, peer) -> session.handler(new EchoHandler()), Access.anyone());
      client.link(server.identity(), endpoint(server, Transport.TCP)).get(10, TimeUnit.SECONDS);
      Stream kcp = client.link(server.identity(), endpoint(server, Transport.KCP)).get(10, TimeUnit.SECONDS);

      AtomicLong done = new AtomicLong();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
      ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
      List<Usage> samples = new ArrayList<>();
      try {
        List<Future<?>> running = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
          long seed = w;
          running.add(workers.submit(() -> churn(client, server, seed, end, done)));
        }
        long start = System.nanoTime();
        long nextRelink = start + RELINK_EVERY.toNanos();
        long sampleEvery = Math.max(5, SECONDS / 12);
        CompletableFuture<Void> finished = CompletableFuture.allOf(running.stream()
            .map(f -> CompletableFuture.runAsync(() -> join(f))).toArray(CompletableFuture[]::new));
        while (!finished.isDone()) {
          try {
            finished.get(sampleEvery, TimeUnit.SECONDS);
          } catch (java.util.concurrent.TimeoutException sampleDue) {
            samples.add(Usage.sample(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start), done.get()));
          }
          if (System.nanoTime() > nextRelink && System.nanoTime() < end) {
            kcp = relink(client, server, kcp);
            nextRelink += RELINK_EVERY.toNanos();
          }
        }
        finished.get();
        samples.add(Usage.sample(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start), done.get()));
      } finally {
        workers.shutdownNow();
      }
      report(samples);
      assertTrue(samples.size() >= 3, "too few samples: " + samples);
      // The first sample is taken once caches, pools and JIT have warmed up.
      Usage first = samples.get(1);
      Usage last = samples.get(samples.size() - 1);
      assertTrue(last.heapAfterGc() - first.heapAfterGc() < MAX_HEAP_GROWTH, "heap grew: " + samples);
      assertTrue(last.openFiles() - first.openFiles() < MAX_FD_GROWTH, "file descriptors grew: " + samples);
      assertTrue(last.sessionsDone() > WORKERS, "sessions completed: " + last.sessionsDone());
      assertEquals(0, server.status().sessions() + client.status().sessions(), "sessions left open");
    }
  }

  private static Endpoint endpoint(Node node, Transport transport) {
    Endpoint bound = node.listeners().stream().filter(e -> e.transport() == transport).findFirst().orElseThrow();
    return new Endpoint(transport, "127.0.0.1", bound.port());
  }

  /** Drops the KCP stream abruptly (its sessions fail over to TCP) and links a new one. */
  private static Stream relink(Node client, Node server, Stream old) throws Exception {
    old.close("soak: stream churn");
    old.closeFuture().get(10, TimeUnit.SECONDS);
    return client.link(server.identity(), endpoint(server, Transport.KCP)).get(10, TimeUnit.SECONDS);
  }

  private static void join(Future<?> f) {
    try {
      f.get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Opens, fills, echoes and checks sessions one after another until {@code end}. A session that
   * stalls is reset by a watchdog, which fails its worker (blocking reads have no timeout).
   */
  private static Void churn(Node client, Node server, long seed, long end, AtomicLong done) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    while (System.nanoTime() < end) {
      Session session = open(client, server);
      ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> session.reset("soak: session stalled for "
          + STALL.toSeconds() + " s"), STALL.toNanos(), TimeUnit.NANOSECONDS);
      try {
        roundTrip(session, random);
      } finally {
        watchdog.cancel(false);
      }
      done.incrementAndGet();
    }
    return null;
  }

  /**
   * An open still unanswered when the churn closes its stream fails with STREAM_LOST (protocol.md
   * §21: only open sessions fail over), as it would for an application: it opens again.
   */
  private static Session open(Node client, Node server) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return client.open(server.identity(), "echo").get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (attempt == 3 || !(e.getCause() instanceof SessionRejectedException r && r.reason() == Reason.STREAM_LOST)) {
          throw e;
        }
      }
    }
  }

  private static void roundTrip(Session session, SplittableRandom random) throws Exception {
    byte[] data = new byte[1 + random.nextInt(MAX_SESSION_BYTES)];
    random.nextBytes(data);
    CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
      try (OutputStream out = session.outputStream()) {
        out.write(data);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }, WRITERS);
    byte[] back;
    try (InputStream in = session.inputStream()) {
      back = in.readAllBytes();
    }
    written.get(30, TimeUnit.SECONDS);
    assertEquals(crc(data), crc(back), "session " + session.id() + " echoed " + back.length + " of "
        + data.length + " bytes");
    session.closeFuture().get(30, TimeUnit.SECONDS);
  }

  private static long crc(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return crc.getValue();
  }

  private static void report(List<Usage> samples) throws IOException {
    StringBuilder text = new StringBuilder("soak of " + SECONDS + " s, " + WORKERS + " workers\n");
    samples.forEach(s -> text.append(s).append('\n'));
    Files.writeString(Path.of("target", "soak-report.txt"), text, StandardCharsets.UTF_8);
  }

  /** Sends every byte back; pauses reading while its writes wait, so memory stays bounded. */
  private static final class EchoHandler implements SessionHandler {
    @Override
    public void onData(Session session, ByteBuf data) {
      CompletableFuture<Void> written = session.write(data);
      if (!written.isDone()) {
        session.pause();
        written.whenComplete((v, e) -> session.resume());
      }
    }

    @Override
    public void onEnd(Session session) {
      session.close();
    }
  }
}
