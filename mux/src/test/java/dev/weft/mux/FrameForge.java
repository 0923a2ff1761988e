package dev.weft.mux;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.netty.buffer.ByteBuf;

/** Well-formed frames with fuzzed fields, as a lying peer would send them. */
final class FrameForge {
  private FrameForge() {}

  /** Frame {@code kind} (0..10) about {@code session}, its other fields taken from {@code data}. */
  static Frame frame(int kind, long session, FuzzedDataProvider data) {
    return switch (kind) {
      case 0 -> new Frame.Hello(data.consumeInt(0, 3), data.consumeInt());
      case 1 -> new Frame.Query(session, data.consumeInt(), "svc", new byte[0]);
      case 2 -> new Frame.Response(session, data.pickValue(Reason.values()), data.consumeInt());
      case 3 -> new Frame.Data(session, offset(data), io.netty.buffer.Unpooled.wrappedBuffer(
          data.consumeBytes(data.consumeInt(0, 2 * Wire.MIN_PAYLOAD))));
      case 4 -> new Frame.Credit(session, offset(data), data.consumeInt());
      case 5 -> new Frame.Close(session, offset(data));
      case 6 -> new Frame.Reset(session, data.pickValue(Reason.values()), "forged");
      case 7 -> new Frame.Ping(data.consumeLong());
      case 8 -> new Frame.Pong(data.consumeLong());
      case 9 -> new Frame.Migrate(session, data.consumeLong(0, SessionMachine.MAX_STREAMS + 1L),
          data.pickValue(Frame.Migrate.Kind.values()));
      default -> new Frame.Resume(session, offset(data), offset(data), data.consumeInt());
    };
  }

  /** Mostly small offsets, near where real sessions are, sometimes anything. */
  private static long offset(FuzzedDataProvider data) {
    return data.consumeBoolean() ? data.consumeLong(0, 64 * 1024) : data.consumeLong();
  }

  /** {@code frame}'s wire bytes into {@code out} (a Data frame's payload is released). */
  static void encode(Frame frame, ByteBuf out) {
    if (frame instanceof Frame.Data d) {
      out.writeByte(FrameType.DATA.code()).writeLong(d.session()).writeInt(8 + d.payload().readableBytes())
          .writeLong(d.offset()).writeBytes(d.payload());
      d.release();
    } else {
      FrameEncoder.encodeControl(frame, out);
    }
  }
}
