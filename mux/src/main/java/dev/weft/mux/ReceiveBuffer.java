package dev.weft.mux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;

/**
 * One session's incoming bytes, put back in offset order. Data at the next expected offset joins
 * the ready queue; exact or partial duplicates (after a rewind) are trimmed; data from a newer
 * stream that overtook the old stream's tail waits in {@code early}. Confined to the table's
 * executor.
 *
 * <p>Early data is what a peer could abuse (one byte per frame, each frame pinning the whole
 * link message it came in), so it is kept apart: copied out of the message, without overlaps,
 * and contiguous pieces joined into one run. What it holds is then at most twice the bytes below
 * the granted limit, in as many runs as the peer left gaps ({@link #earlyRuns()}).
 *
 * <p>Both queues exist only while they hold something: most sessions are idle most of the time,
 * and an idle session should cost a few hundred bytes, not a kilobyte of empty collections.
 */
final class ReceiveBuffer {
  /** Joined runs reach the handler in pieces no larger than a Data payload usually is. */
  private static final int PIECE = 64 * 1024;

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
      keepEarly(offset, payload);
      payload.release();
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

  /** How many disjoint runs of early data are held. */
  int earlyRuns() {
    return early == null ? 0 : early.size();
  }

  /** Copies what no early run covers yet into the runs, joining runs whose gap it closes. */
  private void keepEarly(long offset, ByteBuf payload) {
    if (early == null) {
      early = new TreeMap<>();
    }
    long end = offset + payload.readableBytes();
    long cursor = offset;
    Map.Entry<Long, ByteBuf> before = early.floorEntry(offset);
    if (before != null) {
      cursor = Math.max(cursor, before.getKey() + before.getValue().readableBytes());
    }
    while (cursor < end) {
      Map.Entry<Long, ByteBuf> next = early.ceilingEntry(cursor);
      long nextStart = next == null ? Long.MAX_VALUE : next.getKey();
      long nextEnd = next == null ? Long.MAX_VALUE : nextStart + next.getValue().readableBytes();
      long stop = Math.min(end, nextStart);
      if (stop > cursor) {
        ByteBuf run = runEndingAt(cursor, (int) (stop - cursor));
        run.writeBytes(payload, payload.readerIndex() + (int) (cursor - offset), (int) (stop - cursor));
        if (stop == nextStart) {
          ByteBuf joined = early.remove(nextStart);
          run.writeBytes(joined);
          joined.release();
        }
      }
      if (nextStart >= end) {
        break;
      }
      cursor = nextEnd;
    }
  }

  /** The run that ends at {@code offset}, or a new one starting there (it grows by doubling). */
  private ByteBuf runEndingAt(long offset, int room) {
    Map.Entry<Long, ByteBuf> run = early.floorEntry(offset);
    if (run != null && run.getKey() + run.getValue().readableBytes() == offset) {
      return run.getValue();
    }
    ByteBuf fresh = Unpooled.buffer(room);
    early.put(offset, fresh);
    return fresh;
  }

  private void addReady(ByteBuf buf) {
    if (ready == null) {
      ready = new ArrayDeque<>(4);
    }
    ready.add(buf);
  }

  private void append(long offset, ByteBuf payload) {
    long end = offset + payload.readableBytes();
    if (end <= received) {
      payload.release();
      return;
    }
    payload.skipBytes((int) (received - offset));
    while (payload.readableBytes() > PIECE) {
      addReady(payload.readRetainedSlice(PIECE));
    }
    addReady(payload);
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
