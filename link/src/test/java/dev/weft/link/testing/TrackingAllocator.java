package dev.weft.link.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Remembers every buffer it hands out, so a fuzz target can check after each input that the
 * pipeline released all of them. Netty's leak detector only reports after a GC, far too late to
 * tell which of a million inputs leaked; this check names the input at once.
 */
public final class TrackingAllocator extends AbstractByteBufAllocator {
  private final List<ByteBuf> handedOut = new ArrayList<>();

  public TrackingAllocator() {
    super(false);
  }

  @Override
  protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
    return track(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity));
  }

  @Override
  protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
    return track(new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity));
  }

  @Override
  public boolean isDirectBufferPooled() {
    return false;
  }

  /** Throws an AssertionError if any buffer from this allocator still holds a reference. */
  public void assertAllReleased() {
    long live = handedOut.stream().filter(b -> b.refCnt() > 0).count();
    if (live > 0) {
      throw new AssertionError(live + " of " + handedOut.size() + " buffers were never released");
    }
  }

  /** Capacity of the buffers still referenced: what the code under test holds now. */
  public long liveBytes() {
    return handedOut.stream().filter(b -> b.refCnt() > 0).mapToLong(ByteBuf::capacity).sum();
  }

  private ByteBuf track(ByteBuf buf) {
    handedOut.add(buf);
    return buf;
  }
}
