package dev.weft.it.soak;

import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** One sample of what this JVM holds: heap after a full GC, open file descriptors, Netty's pools. */
record Usage(long seconds, long heapAfterGc, long openFiles, long pooledBuffers, long sessionsDone) {
  static Usage sample(long seconds, long sessionsDone) throws IOException {
    System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long files;
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      files = fds.count();
    }
    var pool = PooledByteBufAllocator.DEFAULT.metric();
    return new Usage(seconds, heap, files, pool.usedDirectMemory() + pool.usedHeapMemory(), sessionsDone);
  }

  @Override
  public String toString() {
    return String.format("t=%4ds heap=%6.1f MiB fds=%4d pooled=%6.1f MiB sessions=%d", seconds,
        heapAfterGc / 1048576.0, openFiles, pooledBuffers / 1048576.0, sessionsDone);
  }
}
