package dev.weft.mux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * Test data where every byte depends on its stream and offset, so any loss, duplicate or
 * reordering shows at the first wrong byte. Works on byte arrays: per-byte calls on buffers are
 * slow under the paranoid leak detector.
 */
final class Pattern {
  private Pattern() {}

  static byte at(long seed, long offset) {
    long x = (seed ^ (offset >>> 6)) * 0x9E3779B97F4A7C15L;
    return (byte) ((x >>> 56) + offset);
  }

  static ByteBuf chunk(long seed, long offset, int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = at(seed, offset + i);
    }
    return PooledByteBufAllocator.DEFAULT.buffer(length).writeBytes(bytes);
  }

  /** Index of the first byte of {@code data} (starting at {@code offset}) that is wrong, or -1. */
  static int firstMismatch(long seed, long offset, ByteBuf data) {
    byte[] bytes = new byte[data.readableBytes()];
    data.getBytes(data.readerIndex(), bytes);
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] != at(seed, offset + i)) {
        return i;
      }
    }
    return -1;
  }
}
