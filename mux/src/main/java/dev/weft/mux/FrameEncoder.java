package dev.weft.mux;

import static dev.weft.mux.FrameType.HEADER;

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
    int type = writeBody(frame, buf);
    int end = buf.writerIndex();
    buf.writerIndex(start);
    header(buf, type, frame.session(), end - start - HEADER);
    buf.writerIndex(end);
  }

  /** Writes the body of a control frame and returns its type code (records cannot be switched on in Java 17). */
  private static int writeBody(Frame frame, ByteBuf buf) {
    if (frame instanceof Frame.Hello h) {
      buf.writeShort(h.version()).writeInt(h.maxPayload());
      return FrameType.HELLO;
    } else if (frame instanceof Frame.Query q) {
      byte[] service = q.service().getBytes(StandardCharsets.UTF_8);
      buf.writeInt(q.window()).writeByte(service.length).writeBytes(service).writeBytes(q.args());
      return FrameType.QUERY;
    } else if (frame instanceof Frame.Response r) {
      buf.writeByte(r.accepted() ? 0 : r.reason().code()).writeInt(r.window());
      return FrameType.RESPONSE;
    } else if (frame instanceof Frame.Credit r) {
      buf.writeLong(r.consumed()).writeInt(r.window());
      return FrameType.CREDIT;
    } else if (frame instanceof Frame.Close c) {
      buf.writeLong(c.finalOffset());
      return FrameType.CLOSE;
    } else if (frame instanceof Frame.Reset r) {
      byte[] message = r.message().getBytes(StandardCharsets.UTF_8);
      buf.writeByte(r.reason().code()).writeBytes(message, 0, Math.min(message.length, FrameType.MAX_MESSAGE));
      return FrameType.RESET;
    } else if (frame instanceof Frame.Ping p) {
      buf.writeLong(p.id());
      return FrameType.PING;
    } else if (frame instanceof Frame.Pong p) {
      buf.writeLong(p.id());
      return FrameType.PONG;
    } else if (frame instanceof Frame.Migrate m) {
      buf.writeLong(m.stream()).writeByte(m.kind().ordinal());
      return FrameType.MIGRATE;
    } else if (frame instanceof Frame.Resume r) {
      buf.writeLong(r.received()).writeLong(r.consumed()).writeInt(r.window());
      return FrameType.RESUME;
    }
    throw new IllegalArgumentException("not a control frame: " + frame.getClass().getSimpleName());
  }

  private static void header(ByteBuf buf, int type, long session, int length) {
    buf.writeByte(type).writeLong(session).writeInt(length);
  }
}
