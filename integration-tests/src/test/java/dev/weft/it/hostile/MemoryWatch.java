package dev.weft.it.hostile;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocatorMetric;
import java.lang.management.ManagementFactory;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches this JVM's memory around an attack: heap after a full GC before and after, and the
 * peak of Netty's pooled buffer memory sampled while it runs (buffers queued for a flooding peer
 * would show there first).
 */
final class MemoryWatch implements AutoCloseable {
  private static final PooledByteBufAllocatorMetric POOL = PooledByteBufAllocator.DEFAULT.metric();

  private final long heapBefore;
  private final long buffersBefore;
  private final AtomicLong buffersPeak = new AtomicLong();
  private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "memory-watch");
    t.setDaemon(true);
    return t;
  });

  private MemoryWatch(long heapBefore) {
    this.heapBefore = heapBefore;
    buffersBefore = buffers();
    buffersPeak.set(buffersBefore);
    sampler.scheduleAtFixedRate(() -> buffersPeak.accumulateAndGet(buffers(), Math::max), 0, 20,
        TimeUnit.MILLISECONDS);
  }

  /** Starts watching; {@code heapBefore} is the heap after the last GC (the previous watch's end). */
  static MemoryWatch start(long heapBefore) {
    return new MemoryWatch(heapBefore);
  }

  static long buffers() {
    return POOL.usedDirectMemory() + POOL.usedHeapMemory();
  }

  static long heapAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /**
   * Fails if the buffer peak or the heap after GC grew by more than the bounds; returns the heap
   * after GC, the baseline for the next watch.
   */
  long assertBounded(long maxBufferGrowth, long maxHeapGrowth) {
    long buffers = buffersPeak.get() - buffersBefore;
    if (buffers > maxBufferGrowth) {
      throw new AssertionError("Netty buffer memory grew by " + mib(buffers) + " MiB during the attack (bound "
          + mib(maxBufferGrowth) + " MiB)");
    }
    long after = heapAfterGc();
    long heap = after - heapBefore;
    if (heap > maxHeapGrowth) {
      throw new AssertionError("heap after GC grew by " + mib(heap) + " MiB (bound " + mib(maxHeapGrowth) + " MiB)");
    }
    return after;
  }

  private static long mib(long bytes) {
    return bytes >> 20;
  }

  @Override
  public void close() {
    sampler.shutdownNow();
  }
}
