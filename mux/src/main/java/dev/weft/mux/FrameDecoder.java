package dev.weft.mux;

import static dev.weft.mux.Wire.HEADER;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads frames from a byte stream that arrives in arbitrary chunks. Every length is checked
 * before anything is read; the first violation is reported once as a {@link MuxProtocolException}
 * through {@code exceptionCaught} and the rest of the input is discarded, since framing can no
 * longer be trusted. Data payloads are retained slices of the input, never copies.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
  /** Shared by every Query without arguments (the usual case), which Session never hands out. */
  private static final byte[] NO_ARGS = new byte[0];

  private final int maxBody;
  private boolean helloSeen;
  private boolean failed;

  /** @param maxPayload the largest Data payload accepted; larger frames are a protocol error. */
  public FrameDecoder(int maxPayload) {
    this.maxBody = maxPayload + 8;
    // A frame that spans two inputs (the link cuts its messages without regard to frames) joins
    // them as components, not by copying the next 64 KiB input behind the leftover bytes.
    setCumulator(COMPOSITE_CUMULATOR);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    try {
      while (in.readableBytes() >= HEADER) {
        int start = in.readerIndex();
        int type = in.getUnsignedByte(start);
        long session = in.getLong(start + 1);
        long length = in.getUnsignedInt(start + 9);
        if (length > maxBody) {
          throw new MuxProtocolException("frame type " + type + " declares " + length
              + " bytes, more than the limit of " + maxBody);
        }
        if (in.readableBytes() < HEADER + length) {
          return;
        }
        in.skipBytes(HEADER);
        ByteBuf body = in.readSlice((int) length);
        Frame frame = parse(type, session, body);
        if (!helloSeen && frame.type() != FrameType.HELLO) {
          ReferenceCountUtil.release(frame);
          throw new MuxProtocolException("first frame must be Hello, got type " + type);
        }
        helloSeen = true;
        out.add(frame);
      }
    } catch (MuxProtocolException e) {
      failed = true;
      in.skipBytes(in.readableBytes());
      ctx.fireExceptionCaught(e);
    }
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    decode(ctx, in, out);
    if (in.isReadable() && !failed) {
      failed = true;
      int left = in.readableBytes();
      in.skipBytes(left);
      ctx.fireExceptionCaught(new MuxProtocolException("stream ended inside a frame (" + left + " bytes left)"));
    }
  }

  private Frame parse(int type, long session, ByteBuf body) throws MuxProtocolException {
    int length = body.readableBytes();
    FrameType known = FrameType.of(type);
    if (known == null) {
      throw new MuxProtocolException("unknown frame type " + type);
    }
    Frame frame = switch (known) {
      case HELLO -> {
        exact(type, length, 6);
        if (helloSeen) {
          throw new MuxProtocolException("second Hello on one stream");
        }
        int version = body.readUnsignedShort();
        int maxPayload = body.readInt();
        if (maxPayload < Wire.MIN_PAYLOAD) {
          throw new MuxProtocolException("Hello max payload " + maxPayload + " is below " + Wire.MIN_PAYLOAD);
        }
        yield new Frame.Hello(version, maxPayload);
      }
      case QUERY -> {
        atLeast(type, length, 5);
        int window = window(body);
        int serviceLength = body.readUnsignedByte();
        if (serviceLength == 0 || serviceLength > body.readableBytes()) {
          throw new MuxProtocolException("Query service name length " + serviceLength + " is invalid");
        }
        String service = strictUtf8(body.readSlice(serviceLength));
        if (body.readableBytes() > Wire.MAX_ARGS) {
          throw new MuxProtocolException("Query args of " + body.readableBytes() + " bytes exceed " + Wire.MAX_ARGS);
        }
        byte[] args = body.isReadable() ? new byte[body.readableBytes()] : NO_ARGS;
        body.readBytes(args);
        yield new Frame.Query(session, window, service, args);
      }
      case RESPONSE -> {
        exact(type, length, 5);
        int code = body.readUnsignedByte();
        yield new Frame.Response(session, code == 0 ? null : reason(code), window(body));
      }
      case DATA -> {
        atLeast(type, length, 9);
        long offset = offset(body);
        yield new Frame.Data(session, offset, body.retainedSlice());
      }
      case CREDIT -> {
        exact(type, length, 12);
        yield new Frame.Credit(session, offset(body), window(body));
      }
      case CLOSE -> {
        exact(type, length, 8);
        yield new Frame.Close(session, offset(body));
      }
      case RESET -> {
        atLeast(type, length, 1);
        Reason reason = reason(body.readUnsignedByte());
        yield new Frame.Reset(session, reason, body.toString(StandardCharsets.UTF_8));
      }
      case PING -> {
        exact(type, length, 8);
        yield new Frame.Ping(body.readLong());
      }
      case PONG -> {
        exact(type, length, 8);
        yield new Frame.Pong(body.readLong());
      }
      case MIGRATE -> {
        exact(type, length, 9);
        long stream = body.readLong();
        int code = body.readUnsignedByte();
        Frame.Migrate.Kind kind = Frame.Migrate.Kind.of(code);
        if (kind == null) {
          throw new MuxProtocolException("Migrate kind " + code + " is unknown");
        }
        yield new Frame.Migrate(session, stream, kind);
      }
      case RESUME -> {
        exact(type, length, 20);
        yield new Frame.Resume(session, offset(body), offset(body), window(body));
      }
    };
    boolean sessionLevel = known.sessionLevel();
    if (sessionLevel == (session == 0)) {
      ReferenceCountUtil.release(frame);
      throw new MuxProtocolException("frame type " + type + (sessionLevel ? " needs a session id" : " must have session 0"));
    }
    return frame;
  }

  private static void exact(int type, int length, int expected) throws MuxProtocolException {
    if (length != expected) {
      throw new MuxProtocolException("frame type " + type + " has " + length + " body bytes, expected " + expected);
    }
  }

  private static void atLeast(int type, int length, int min) throws MuxProtocolException {
    if (length < min) {
      throw new MuxProtocolException("frame type " + type + " has " + length + " body bytes, needs at least " + min);
    }
  }

  private static int window(ByteBuf body) throws MuxProtocolException {
    int window = body.readInt();
    if (window < 0) {
      throw new MuxProtocolException("window " + Integer.toUnsignedString(window) + " exceeds 2^31-1");
    }
    return window;
  }

  /** Offsets are u64 on the wire but a session never nears 2^63 bytes: larger is malformed. */
  private static long offset(ByteBuf body) throws MuxProtocolException {
    long offset = body.readLong();
    if (offset < 0) {
      throw new MuxProtocolException("offset " + Long.toUnsignedString(offset) + " exceeds 2^63-1");
    }
    return offset;
  }

  private static Reason reason(int code) throws MuxProtocolException {
    Reason reason = Reason.of(code);
    if (reason == null) {
      throw new MuxProtocolException("reason code " + code + " is unknown");
    }
    return reason;
  }

  private static String strictUtf8(ByteBuf bytes) throws MuxProtocolException {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes.nioBuffer())
          .toString();
    } catch (CharacterCodingException e) {
      throw new MuxProtocolException("service name is not valid UTF-8");
    }
  }
}
