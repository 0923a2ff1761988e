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

  FrameType type();

  /** Calls the method of {@code handler} for this frame's type. */
  void handleBy(Handler handler);

  /**
   * Whatever acts on received frames: one method per frame type, so a new type cannot be
   * dispatched nowhere (Java 17 has no exhaustive switch over a sealed interface).
   */
  interface Handler {
    void onHello(Hello hello);

    void onQuery(Query query);

    void onResponse(Response response);

    void onData(Data data);

    void onCredit(Credit credit);

    void onClose(Close close);

    void onReset(Reset reset);

    void onPing(Ping ping);

    void onPong(Pong pong);

    void onMigrate(Migrate migrate);

    void onResume(Resume resume);
  }

  /**
   * First frame on every stream in each direction: the highest mux version the sender speaks and
   * the largest Data payload it accepts.
   */
  record Hello(int version, int maxPayload) implements Frame {
    @Override
    public FrameType type() {
      return FrameType.HELLO;
    }

    @Override
    public void handleBy(Handler handler) {
      handler.onHello(this);
    }

    @Override
    public long session() {
      return 0;
    }
  }

  /** Opens a session to a named service; {@code window} is the opener's initial receive window. */
  record Query(long session, int window, String service, byte[] args) implements Frame {
    @Override
    public FrameType type() {
      return FrameType.QUERY;
    }

    @Override
    public void handleBy(Handler handler) {
      handler.onQuery(this);
    }
  }

  /** Answers a Query: {@code reason == null} accepts (with the acceptor's window), else rejects. */
  record Response(long session, Reason reason, int window) implements Frame {
    @Override
    public FrameType type() {
      return FrameType.RESPONSE;
    }

    @Override
    public void handleBy(Handler handler) {
      handler.onResponse(this);
    }

    public boolean accepted() {
      return reason == null;
    }
  }

  /**
   * Session bytes starting at absolute {@code offset} in the sender's direction. Owns one
   * reference to {@code payload}; whoever consumes the frame releases it.
   */
  record Data(long session, long offset, ByteBuf payload) implements Frame, ReferenceCounted {
    @Override
    public FrameType type() {
      return FrameType.DATA;
    }

    @Override
    public void handleBy(Handler handler) {
      handler.onData(this);
    }

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
  record Credit(long session, long consumed, int window) implements Frame {
    @Override
    public FrameType type() {
      return FrameType.CREDIT;
    }

    @Override
    public void handleBy(Handler handler) {
      handler.onCredit(this);
    }
  }

  /** Half-close: the sender's direction ends at {@code finalOffset}; the other may still send. */
  record Close(long session, long finalOffset) implements Frame {
    @Override
    public FrameType type() {
      return FrameType.CLOSE;
    }

    @Override
    public void handleBy(Handler handler) {
      handler.onClose(this);
    }
  }

  /** Aborts the session in both directions. */
  record Reset(long session, Reason reason, String message) implements Frame {
    @Override
    public FrameType type() {
      return FrameType.RESET;
    }

    @Override
    public void handleBy(Handler handler) {
      handler.onReset(this);
    }
  }

  /** Liveness probe; answered by a Pong with the same id, which measures the stream's RTT. */
  record Ping(long id) implements Frame {
    @Override
    public FrameType type() {
      return FrameType.PING;
    }

    @Override
    public void handleBy(Handler handler) {
      handler.onPing(this);
    }

    @Override
    public long session() {
      return 0;
    }
  }

  /** Answer to a Ping. */
  record Pong(long id) implements Frame {
    @Override
    public FrameType type() {
      return FrameType.PONG;
    }

    @Override
    public void handleBy(Handler handler) {
      handler.onPong(this);
    }

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
    @Override
    public FrameType type() {
      return FrameType.MIGRATE;
    }

    @Override
    public void handleBy(Handler handler) {
      handler.onMigrate(this);
    }

    /** What the marker says, with its wire code. */
    public enum Kind implements Wire.Coded {
      REQUEST(0), ACCEPT(1), REFUSE(2);

      private final int code;

      Kind(int code) {
        this.code = code;
      }

      @Override
      public int code() {
        return code;
      }

      /** The kind with this wire code, or null if the code is unknown. */
      public static Kind of(int code) {
        return Wire.byCode(values(), code);
      }
    }
  }

  /**
   * Restarts a session on a new stream after its stream died: the sender has received
   * everything below {@code received} and consumed everything below {@code consumed}, with
   * {@code window} of room, so the peer re-sends from {@code received}.
   */
  record Resume(long session, long received, long consumed, int window) implements Frame {
    @Override
    public FrameType type() {
      return FrameType.RESUME;
    }

    @Override
    public void handleBy(Handler handler) {
      handler.onResume(this);
    }
  }
}
