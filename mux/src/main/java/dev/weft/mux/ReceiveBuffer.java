package dev.weft.mux;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;

/**
 * One session's incoming bytes, put back in offset order. Data at the next expected offset joins
 * the ready queue; exact or partial duplicates (after a rewind) are trimmed; data from a newer
 * stream that overtook the old stream's tail waits in {@code early}. Everything held is below the
 * granted credit limit, so memory is bounded by the window. Confined to the table's executor.
 *
 * <p>Both queues exist only while they hold something: most sessions are idle most of the time,
 * and an idle session should cost a few hundred bytes, not a kilobyte of empty collections.
 */
final class ReceiveBuffer {
  private ArrayDeque<ByteBuf> ready;
  private TreeMap<Long, ByteBuf> early;
  private long received;

  /** Offset of the next byte expected: everything below it has arrived in order. */
  long received() {
    return received;
  }

  boolean hasReady() {
    return ready != null && !ready.isEmpty();
  }

  ByteBuf poll() {
    if (ready == null) {
      return null;
    }
    ByteBuf next = ready.poll();
    if (ready.isEmpty()) {
      ready = null;
    }
    return next;
  }

  /** Takes ownership of {@code payload} at {@code offset}; returns how many bytes became ready. */
  long accept(long offset, ByteBuf payload) {
    if (offset > received) {
      if (early == null) {
        early = new TreeMap<>();
      }
      ByteBuf previous = early.put(offset, payload);
      if (previous != null) {
        keepLonger(offset, previous);
      }
      return 0;
    }
    long before = received;
    append(offset, payload);
    Map.Entry<Long, ByteBuf> next;
    while (early != null && (next = early.firstEntry()) != null && next.getKey() <= received) {
      early.pollFirstEntry();
      append(next.getKey(), next.getValue());
    }
    if (early != null && early.isEmpty()) {
      early = null;
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
    if (ready == null) {
      ready = new ArrayDeque<>(4);
    }
    ready.add(payload);
    received = end;
  }

  void releaseAll() {
    if (ready != null) {
      ready.forEach(ByteBuf::release);
      ready.clear();
    }
    if (early != null) {
      early.values().forEach(ByteBuf::release);
      early.clear();
    }
  }
}
