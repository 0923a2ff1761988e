package dev.weft.mux;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * One session's outgoing bytes by absolute offset: everything written by the application and not
 * yet consumed by the peer. Bytes below {@code sent} went out once but stay until acknowledged,
 * so a resume can rewind and send them again. Confined to the table's executor.
 *
 * <p>The chunk list exists only while something is held: an idle session's acknowledged buffer
 * costs nothing.
 */
final class SendBuffer {
  private record Chunk(long start, ByteBuf buf) {
    long end() {
      return start + buf.readableBytes();
    }
  }

  private List<Chunk> chunks;
  private int head;
  private int cursor;
  private long acked;
  private long sent;
  private long written;

  void append(ByteBuf buf) {
    int n = buf.readableBytes();
    if (n == 0) {
      buf.release();
      return;
    }
    if (chunks == null) {
      chunks = new ArrayList<>();
    }
    chunks.add(new Chunk(written, buf));
    written += n;
  }

  long written() {
    return written;
  }

  long sent() {
    return sent;
  }

  long acked() {
    return acked;
  }

  /** Bytes held: written but not yet acknowledged as consumed. */
  long buffered() {
    return written - acked;
  }

  /** Whether bytes below {@code limit} remain to be sent. */
  boolean sendable(long limit) {
    return sent < Math.min(written, limit);
  }

  /** The next Data frame of at most {@code max} bytes below {@code limit}, or null. */
  Frame.Data next(long session, long limit, int max) {
    long end = Math.min(written, limit);
    if (sent >= end) {
      return null;
    }
    while (chunks.get(cursor).end() <= sent) {
      cursor++;
    }
    Chunk chunk = chunks.get(cursor);
    int skip = (int) (sent - chunk.start());
    int length = (int) Math.min(Math.min(max, chunk.end() - sent), end - sent);
    ByteBuf slice = chunk.buf().retainedSlice(chunk.buf().readerIndex() + skip, length);
    Frame.Data data = new Frame.Data(session, sent, slice);
    sent += length;
    return data;
  }

  /** The peer consumed everything below {@code upTo}: release it. Returns false if {@code upTo} was never written. */
  boolean ack(long upTo) {
    if (upTo > written) {
      return false;
    }
    if (upTo <= acked) {
      return true;
    }
    acked = upTo;
    sent = Math.max(sent, acked);
    while (head < chunks.size() && chunks.get(head).end() <= acked) {
      chunks.get(head).buf().release();
      chunks.set(head, null);
      head++;
    }
    cursor = Math.max(cursor, head);
    if (head == chunks.size()) {
      chunks = null;
      head = 0;
      cursor = 0;
    } else if (head > 64 && head * 2 > chunks.size()) {
      chunks.subList(0, head).clear();
      cursor -= head;
      head = 0;
    }
    return true;
  }

  /** Send again from {@code from}; false if that is outside what is still held. */
  boolean rewind(long from) {
    if (from < acked || from > written) {
      return false;
    }
    sent = from;
    cursor = head;
    return true;
  }

  void releaseAll() {
    if (chunks != null) {
      for (int i = head; i < chunks.size(); i++) {
        chunks.get(i).buf().release();
      }
      chunks = null;
    }
    head = 0;
    cursor = 0;
    acked = written;
    sent = written;
  }
}
