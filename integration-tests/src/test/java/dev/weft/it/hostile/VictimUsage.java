package dev.weft.it.hostile;

import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The victim JVM's memory as it sees it, sampled every 20 ms: off-heap (the JDK's direct buffer
 * pool plus Netty's own direct memory counter, whichever way Netty allocates) and RSS, with their
 * peaks since the last {@link #mark()}; and the heap after a full GC when asked.
 */
final class VictimUsage implements AutoCloseable {
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
  private static final BufferPoolMXBean DIRECT = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)
      .stream().filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();

  private final AtomicLong peakOffHeap = new AtomicLong();
  private final AtomicLong peakRss = new AtomicLong();
  private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "victim-usage");
    t.setDaemon(true);
    return t;
  });

  private VictimUsage() {
    sampler.scheduleAtFixedRate(this::sample, 0, 20, TimeUnit.MILLISECONDS);
  }

  static VictimUsage start() {
    return new VictimUsage();
  }

  static long offHeap() {
    return DIRECT.getMemoryUsed() + Math.max(0, PlatformDependent.usedDirectMemory());
  }

  /** Resident set size in bytes, from /proc/self/status. */
  static long rss() {
    try {
      return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
          .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024).findFirst().orElse(-1);
    } catch (IOException e) {
      return -1;
    }
  }

  private void sample() {
    peakOffHeap.accumulateAndGet(offHeap(), Math::max);
    peakRss.accumulateAndGet(rss(), Math::max);
  }

  /** Starts new peaks from now. */
  void mark() {
    peakOffHeap.set(offHeap());
    peakRss.set(rss());
  }

  /** One line: heap after a full GC, off-heap now and at its peak, RSS now and at its peak. */
  String now() {
    System.gc();
    sample();
    return "usage heap=" + MEMORY.getHeapMemoryUsage().getUsed() + " offHeap=" + offHeap()
        + " peakOffHeap=" + peakOffHeap.get() + " rss=" + rss() + " peakRss=" + peakRss.get();
  }

  @Override
  public void close() {
    sampler.shutdownNow();
  }
}
