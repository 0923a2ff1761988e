package dev.weft.mux;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;

/**
 * One session's incoming bytes, put back in offset order. Data at the next expected offset joins
 * the ready queue; exact or partial duplicates (after a rewind) are trimmed; data from a newer
 * stream that overtook the old stream's tail waits in {@code early}. Everything held is below the
 * granted credit limit, so memory is bounded by the window. Confined to the peer's executor.
 */
final class ReceiveBuffer {
  private final ArrayDeque<ByteBuf> ready = new ArrayDeque<>();
  private final TreeMap<Long, ByteBuf> early = new TreeMap<>();
  private long received;

  /** Offset of the next byte expected: everything below it has arrived in order. */
  long received() {
    return received;
  }

  boolean hasReady() {
    return !ready.isEmpty();
  }

  ByteBuf poll() {
    return ready.poll();
  }

  /** Takes ownership of {@code payload} at {@code offset}; returns how many bytes became ready. */
  long accept(long offset, ByteBuf payload) {
    if (offset > received) {
      ByteBuf previous = early.put(offset, payload);
      if (previous != null) {
        keepLonger(offset, previous);
      }
      return 0;
    }
    long before = received;
    append(offset, payload);
    Map.Entry<Long, ByteBuf> next;
    while ((next = early.firstEntry()) != null && next.getKey() <= received) {
      early.pollFirstEntry();
      append(next.getKey(), next.getValue());
    }
    return received - before;
  }

  private void keepLonger(long offset, ByteBuf previous) {
    if (previous.readableBytes() > early.get(offset).readableBytes()) {
      early.put(offset, previous).release();
    } else {
      previous.release();
    }
  }

  private void append(long offset, ByteBuf payload) {
    long end = offset + payload.readableBytes();
    if (end <= received) {
      payload.release();
      return;
    }
    payload.skipBytes((int) (received - offset));
    ready.add(payload);
    received = end;
  }

  void releaseAll() {
    ready.forEach(ByteBuf::release);
    ready.clear();
    early.values().forEach(ByteBuf::release);
    early.clear();
  }
}
