package dev.weft.mux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FrameCodecTest {
  private static final long SID = 0x8000_0000_0000_0042L;

  private static ByteBuf encode(Frame... frames) {
    EmbeddedChannel out = new EmbeddedChannel(FrameEncoder.INSTANCE);
    for (Frame f : frames) {
      out.writeOutbound(f);
    }
    ByteBuf all = Unpooled.buffer();
    for (ByteBuf b; (b = out.readOutbound()) != null; ) {
      all.writeBytes(b, b.readerIndex(), b.readableBytes());
      b.release();
    }
    out.finishAndReleaseAll();
    return all;
  }

  private static ByteBuf hello() {
    return encode(new Frame.Hello(1, 65536));
  }

  @Test
  void everyFrameSurvivesARoundTripFedOneByteAtATime() {
    byte[] payload = "payload bytes".getBytes(StandardCharsets.UTF_8);
    List<Frame> frames = List.of(
        new Frame.Hello(1, 65536),
        new Frame.Query(SID, 262144, "echo/ü", new byte[] {1, 2, 3}),
        new Frame.Response(SID, null, 262144),
        new Frame.Response(SID, Reason.ACCESS_DENIED, 0),
        new Frame.Data(SID, 12345, Unpooled.wrappedBuffer(payload)),
        new Frame.Credit(SID, 1L << 40, 16 << 20),
        new Frame.Close(SID, 99),
        new Frame.Reset(SID, Reason.PROTOCOL_ERROR, "credit overrun"),
        new Frame.Ping(7),
        new Frame.Pong(7),
        new Frame.Migrate(SID, 0xabcdefL, Frame.Migrate.Kind.ACCEPT),
        new Frame.Resume(SID, 10, 5, 4096));
    frames.forEach(f -> {
      if (f instanceof Frame.Data d) {
        d.retain(); // the encoder releases what it writes; the test still compares it
      }
    });
    ByteBuf bytes = encode(frames.toArray(Frame[]::new));
    EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(65536));
    while (bytes.isReadable()) {
      in.writeInbound(bytes.readRetainedSlice(1));
    }
    bytes.release();
    for (Frame expected : frames) {
      Frame actual = in.readInbound();
      if (expected instanceof Frame.Query q) {
        Frame.Query got = assertInstanceOf(Frame.Query.class, actual);
        assertEquals(q.service(), got.service());
        assertEquals(q.window(), got.window());
        assertArrayEquals(q.args(), got.args());
      } else {
        assertEquals(expected, actual);
      }
      if (actual instanceof Frame.Data d) {
        d.release();
        ((Frame.Data) expected).release();
      }
    }
    assertNull(in.readInbound());
    assertFalse(in.finish());
  }

  @Test
  void dataPayloadIsASliceOfTheInputNotACopy() {
    ByteBuf bytes = Unpooled.buffer();
    bytes.writeBytes(hello());
    bytes.writeBytes(encode(new Frame.Data(SID, 0, Unpooled.wrappedBuffer(new byte[1000]))));
    EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(65536));
    in.writeInbound(bytes);
    assertInstanceOf(Frame.Hello.class, in.readInbound());
    Frame.Data data = in.readInbound();
    assertNotNull(data.payload().unwrap(), "payload should be a view of the input buffer");
    assertEquals(1000, data.payload().readableBytes());
    data.release();
    in.finishAndReleaseAll();
  }

  private static MuxProtocolException violation(ByteBuf... inputs) {
    EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(65536));
    for (int i = 0; i < inputs.length - 1; i++) {
      in.writeInbound(inputs[i]);
    }
    MuxProtocolException e = assertThrows(MuxProtocolException.class, () -> in.writeInbound(inputs[inputs.length - 1]));
    // Once framing is broken nothing more is decoded.
    in.writeInbound(hello());
    for (Object o; (o = in.readInbound()) != null; ) {
      if (!(o instanceof Frame.Hello)) {
        throw new AssertionError("decoded " + o + " after a violation");
      }
    }
    in.finishAndReleaseAll();
    return e;
  }

  private static ByteBuf raw(int type, long session, int length, byte[] body) {
    return Unpooled.buffer().writeByte(type).writeLong(session).writeInt(length).writeBytes(body);
  }

  @Test
  void unknownTypeIsAProtocolError() {
    assertTrue(violation(hello(), raw(0x7f, SID, 0, new byte[0])).getMessage().contains("unknown frame type"));
  }

  @Test
  void oversizedFrameIsRefusedBeforeItsBodyArrives() {
    String m = violation(hello(), raw(FrameType.DATA.code(), SID, 65536 + 9, new byte[0])).getMessage();
    assertTrue(m.contains("more than the limit"), m);
  }

  @Test
  void truncatedBodiesAreProtocolErrors() {
    assertTrue(violation(hello(), raw(FrameType.PING.code(), 0, 4, new byte[4])).getMessage().contains("expected 8"));
    assertTrue(violation(hello(), raw(FrameType.DATA.code(), SID, 8, new byte[8])).getMessage().contains("at least 9"));
    assertTrue(violation(hello(), raw(FrameType.QUERY.code(), SID, 6, new byte[] {0, 0, 0, 1, 9, 'x'}))
        .getMessage().contains("service name length"));
  }

  @Test
  void malformedFieldsAreProtocolErrors() {
    assertTrue(violation(raw(FrameType.PING.code(), 0, 8, new byte[8])).getMessage().contains("first frame must be Hello"));
    assertTrue(violation(hello(), hello()).getMessage().contains("second Hello"));
    assertTrue(violation(hello(), raw(FrameType.DATA.code(), 0, 9, new byte[9])).getMessage().contains("needs a session id"));
    assertTrue(violation(hello(), raw(FrameType.PING.code(), SID, 8, new byte[8])).getMessage().contains("session 0"));
    assertTrue(violation(hello(), raw(FrameType.RESET.code(), SID, 1, new byte[] {(byte) 200})).getMessage().contains("reason code"));
    assertTrue(violation(hello(), raw(FrameType.MIGRATE.code(), SID, 9, new byte[] {0, 0, 0, 0, 0, 0, 0, 1, 9}))
        .getMessage().contains("Migrate kind"));
    assertTrue(violation(hello(), raw(FrameType.CREDIT.code(), SID, 12, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, 0, 0, 0}))
        .getMessage().contains("window"));
  }

  @Test
  void streamEndingInsideAFrameIsReported() {
    EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(65536));
    in.writeInbound(hello());
    in.writeInbound(raw(FrameType.PING.code(), 0, 8, new byte[3]));
    assertInstanceOf(Frame.Hello.class, in.readInbound());
    MuxProtocolException e = assertThrows(MuxProtocolException.class, in::finish);
    assertTrue(e.getMessage().contains("stream ended inside a frame"), e.getMessage());
  }
}
