package dev.weft.it.migration;

import java.util.SplittableRandom;

/**
 * A deterministic pseudo-random byte sequence per seed, produced in blocks so that any split into
 * chunks yields the same bytes: the writer and the checker of a flow each walk their own copy.
 */
final class PatternBytes {
  private static final int BLOCK = 4096;

  private final long seed;
  private final byte[] block = new byte[BLOCK];
  private long blockIndex = -1;
  private long position;

  PatternBytes(long seed) {
    this.seed = seed;
  }

  /** The next {@code length} bytes of the sequence. */
  byte[] next(int length) {
    byte[] out = new byte[length];
    int done = 0;
    while (done < length) {
      long index = position / BLOCK;
      if (index != blockIndex) {
        new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index).nextBytes(block);
        blockIndex = index;
      }
      int at = (int) (position % BLOCK);
      int n = Math.min(length - done, BLOCK - at);
      System.arraycopy(block, at, out, done, n);
      done += n;
      position += n;
    }
    return out;
  }
}
