package dev.weft.mux;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;

/**
 * One mux frame: the unit the codec reads and writes. Every frame names a session (0 for
 * stream-level frames). Layouts are specified byte by byte in docs/protocol.md, part 2.
 */
public sealed interface Frame {
  /** Session the frame belongs to; 0 for stream-level frames (Hello, Ping, Pong). */
  long session();

  /**
   * First frame on every stream in each direction: the highest mux version the sender speaks and
   * the largest Data payload it accepts.
   */
  record Hello(int version, int maxPayload) implements Frame {
    @Override
    public long session() {
      return 0;
    }
  }

  /** Opens a session to a named service; {@code window} is the opener's initial receive window. */
  record Query(long session, int window, String service, byte[] args) implements Frame {}

  /** Answers a Query: {@code reason == null} accepts (with the acceptor's window), else rejects. */
  record Response(long session, Reason reason, int window) implements Frame {
    public boolean accepted() {
      return reason == null;
    }
  }

  /**
   * Session bytes starting at absolute {@code offset} in the sender's direction. Owns one
   * reference to {@code payload}; whoever consumes the frame releases it.
   */
  record Data(long session, long offset, ByteBuf payload) implements Frame, ReferenceCounted {
    public long end() {
      return offset + payload.readableBytes();
    }

    @Override
    public int refCnt() {
      return payload.refCnt();
    }

    @Override
    public Data retain() {
      payload.retain();
      return this;
    }

    @Override
    public Data retain(int increment) {
      payload.retain(increment);
      return this;
    }

    @Override
    public Data touch() {
      payload.touch();
      return this;
    }

    @Override
    public Data touch(Object hint) {
      payload.touch(hint);
      return this;
    }

    @Override
    public boolean release() {
      return payload.release();
    }

    @Override
    public boolean release(int decrement) {
      return payload.release(decrement);
    }
  }

  /**
   * Credit: the receiver has consumed everything below {@code consumed} and may hold
   * {@code window} more bytes, so the sender may send up to {@code consumed + window}. Absolute,
   * hence idempotent: a stale or repeated grant can never widen the window.
   */
  record Credit(long session, long consumed, int window) implements Frame {}

  /** Half-close: the sender's direction ends at {@code finalOffset}; the other may still send. */
  record Close(long session, long finalOffset) implements Frame {}

  /** Aborts the session in both directions. */
  record Reset(long session, Reason reason, String message) implements Frame {}

  /** Liveness probe; answered by a Pong with the same id, which measures the stream's RTT. */
  record Ping(long id) implements Frame {
    @Override
    public long session() {
      return 0;
    }
  }

  /** Answer to a Ping. */
  record Pong(long id) implements Frame {
    @Override
    public long session() {
      return 0;
    }
  }

  /**
   * Migration marker, sent on the session's old stream after the sender's last data there:
   * a REQUEST to move the session to {@code stream}, or the responder's ACCEPT / REFUSE.
   */
  record Migrate(long session, long stream, Kind kind) implements Frame {
    /** What the marker says. */
    public enum Kind {
      REQUEST, ACCEPT, REFUSE
    }
  }

  /**
   * Restarts a session on a new stream after its stream died: the sender has received
   * everything below {@code received} and consumed everything below {@code consumed}, with
   * {@code window} of room, so the peer re-sends from {@code received}.
   */
  record Resume(long session, long received, long consumed, int window) implements Frame {}
}
