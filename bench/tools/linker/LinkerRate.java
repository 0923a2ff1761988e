import dev.weft.identity.Identity;
import dev.weft.identity.NodeKey;
import dev.weft.link.Endpoint;
import dev.weft.link.Linker;
import dev.weft.link.Listener;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Full handshakes (links) per second of weft's link layer alone: a dialing {@code Linker} in this
 * JVM and a listening one in a child JVM, over loopback TCP, with no node, mux or admin API.
 * Each link is dialled, proven and accepted, then closed at once. Needs weft on the class path:
 *
 * <pre>
 * java -cp cli/target/weft.jar bench/tools/linker/LinkerRate.java COUNT CONCURRENCY [WARMUP [RUNS]]
 * </pre>
 * WARMUP links (default COUNT) run first, unrecorded, so the JIT has compiled the path; then RUNS
 * (default 1) runs of COUNT links, each printing
 * {@code links=… failed=… seconds=… links_per_s=… cpu_ms_per_link_dialer=… cpu_ms_per_link_listener=…},
 * the CPU times (every thread of each JVM, over the recorded links) being what the load of a shared
 * machine does not distort. (Kept out of bench/tools/*.java, which compile without weft.)
 */
public class LinkerRate {
  public static void main(String[] args) throws Exception {
    if (args.length == 1 && args[0].equals("listen")) {
      listen();
      return;
    }
    if (args.length < 2 || args.length > 4) {
      System.err.println("usage: LinkerRate COUNT CONCURRENCY [WARMUP [RUNS]]");
      System.exit(2);
    }
    int count = Integer.parseInt(args[0]);
    int concurrency = Integer.parseInt(args[1]);
    int warmup = args.length >= 3 ? Integer.parseInt(args[2]) : count;
    int runs = args.length == 4 ? Integer.parseInt(args[3]) : 1;

    Process listener = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), sourceFile(), "listen")
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try (Linker linker = Linker.builder(NodeKey.generate()).build()) {
      String[] ready = readyLine(new BufferedReader(new InputStreamReader(listener.getInputStream(),
          StandardCharsets.UTF_8)));
      Identity peer = Identity.parse(ready[0]);
      Endpoint endpoint = Endpoint.parse(ready[1]);
      run(linker, endpoint, peer, warmup, concurrency);
      for (int r = 0; r < runs; r++) {
        long dialerCpu = ownCpuNanos();
        long listenerCpu = cpuNanos(listener);
        long start = System.nanoTime();
        int failed = run(linker, endpoint, peer, count, concurrency);
        double seconds = (System.nanoTime() - start) / 1e9;
        int links = count - failed;
        System.out.printf("links=%d failed=%d seconds=%.3f links_per_s=%.1f cpu_ms_per_link_dialer=%.3f"
                + " cpu_ms_per_link_listener=%.3f%n", links, failed, seconds, links / seconds,
            (ownCpuNanos() - dialerCpu) / 1e6 / Math.max(1, links),
            (cpuNanos(listener) - listenerCpu) / 1e6 / Math.max(1, links));
        if (links == 0) {
          System.exit(1);
        }
      }
    } finally {
      listener.getOutputStream().close();
      if (!listener.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        listener.destroyForcibly();
      }
    }
  }

  /** The child's "IDENTITY ENDPOINT" line (an agent in the child may print before it). */
  private static String[] readyLine(BufferedReader in) throws java.io.IOException {
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      String[] words = line.split(" ");
      if (words.length == 2 && words[1].startsWith("tcp:")) {
        return words;
      }
    }
    throw new IllegalStateException("the listening JVM ended before it listened");
  }

  /** COUNT links, at most CONCURRENCY in flight, each closed once up; returns how many failed. */
  private static int run(Linker linker, Endpoint endpoint, Identity peer, int count, int concurrency)
      throws InterruptedException {
    Semaphore inFlight = new Semaphore(concurrency);
    AtomicInteger failed = new AtomicInteger();
    List<CompletableFuture<?>> dials = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      inFlight.acquire();
      dials.add(linker.dial(endpoint, peer).whenComplete((stream, error) -> {
        inFlight.release();
        if (error == null) {
          stream.close("measured");
        } else if (failed.getAndIncrement() == 0) {
          System.err.println("LinkerRate: a dial failed: " + error);
        }
      }));
    }
    for (CompletableFuture<?> dial : dials) {
      dial.exceptionally(error -> null).join();
    }
    return failed.get();
  }

  /** The child: listens on loopback with the protective limits raised, until its stdin closes. */
  private static void listen() throws Exception {
    try (Linker linker = Linker.builder(NodeKey.generate())
        .handshakeRate(1_000_000, 1_000_000).maxPendingHandshakes(4096)
        .handshakeTimeout(Duration.ofSeconds(30)).build()) {
      Listener listener = linker.listen(Endpoint.parse("tcp:127.0.0.1:0")).join();
      System.out.println(linker.identity() + " " + listener.endpoint());
      System.out.flush();
      while (System.in.read() >= 0) {
        // the parent holds stdin open while it measures
      }
    }
  }

  private static long ownCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static long cpuNanos(Process process) {
    return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
  }

  /** This program's source file: the child runs it in source-file mode too. */
  private static String sourceFile() {
    for (String token : System.getProperty("sun.java.command").split(" ")) {
      if (token.endsWith("LinkerRate.java")) {
        return token;
      }
    }
    throw new IllegalStateException("run LinkerRate as a source file: java -cp weft.jar bench/tools/linker/LinkerRate.java");
  }
}
