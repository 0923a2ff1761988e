package dev.weft.mux;

import static dev.weft.mux.Wire.HEADER;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes frames as bytes. A Data frame becomes its header plus the payload itself (retained, not
 * copied); the link below coalesces both into one encrypted message at flush.
 */
@Sharable
public final class FrameEncoder extends MessageToMessageEncoder<Frame> {
  public static final FrameEncoder INSTANCE = new FrameEncoder();

  private FrameEncoder() {
    super(Frame.class);
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, Frame frame, List<Object> out) {
    if (frame instanceof Frame.Data d) {
      ByteBuf header = ctx.alloc().buffer(HEADER + 8);
      header(header, FrameType.DATA, d.session(), 8 + d.payload().readableBytes());
      header.writeLong(d.offset());
      out.add(header);
      out.add(d.payload().retain());
      return;
    }
    ByteBuf buf = ctx.alloc().buffer(HEADER + 16);
    encodeControl(frame, buf);
    out.add(buf);
  }

  /** Encodes any frame but Data into {@code buf} (the fuzz test re-encodes with it too). */
  static void encodeControl(Frame frame, ByteBuf buf) {
    int start = buf.writerIndex();
    buf.ensureWritable(HEADER).writerIndex(start + HEADER);
    FrameType type = writeBody(frame, buf);
    int end = buf.writerIndex();
    buf.writerIndex(start);
    header(buf, type, frame.session(), end - start - HEADER);
    buf.writerIndex(end);
  }

  /** Writes the body of a control frame and returns its type. */
  private static FrameType writeBody(Frame frame, ByteBuf buf) {
    switch (frame.type()) {
      case HELLO -> {
        Frame.Hello h = (Frame.Hello) frame;
        buf.writeShort(h.version()).writeInt(h.maxPayload());
      }
      case QUERY -> {
        Frame.Query q = (Frame.Query) frame;
        byte[] service = q.service().getBytes(StandardCharsets.UTF_8);
        buf.writeInt(q.window()).writeByte(service.length).writeBytes(service).writeBytes(q.args());
      }
      case RESPONSE -> {
        Frame.Response r = (Frame.Response) frame;
        buf.writeByte(r.accepted() ? 0 : r.reason().code()).writeInt(r.window());
      }
      case CREDIT -> {
        Frame.Credit c = (Frame.Credit) frame;
        buf.writeLong(c.consumed()).writeInt(c.window());
      }
      case CLOSE -> buf.writeLong(((Frame.Close) frame).finalOffset());
      case RESET -> {
        Frame.Reset r = (Frame.Reset) frame;
        byte[] message = r.message().getBytes(StandardCharsets.UTF_8);
        buf.writeByte(r.reason().code()).writeBytes(message, 0, Math.min(message.length, Wire.MAX_MESSAGE));
      }
      case PING -> buf.writeLong(((Frame.Ping) frame).id());
      case PONG -> buf.writeLong(((Frame.Pong) frame).id());
      case MIGRATE -> {
        Frame.Migrate m = (Frame.Migrate) frame;
        buf.writeLong(m.stream()).writeByte(m.kind().code());
      }
      case RESUME -> {
        Frame.Resume r = (Frame.Resume) frame;
        buf.writeLong(r.received()).writeLong(r.consumed()).writeInt(r.window());
      }
      case DATA -> throw new IllegalArgumentException("Data is not a control frame");
    }
    return frame.type();
  }

  private static void header(ByteBuf buf, FrameType type, long session, int length) {
    buf.writeByte(type.code()).writeLong(session).writeInt(length);
  }
}
