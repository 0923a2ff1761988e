package dev.weft.mux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.weft.link.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/**
 * Bytes from a peer, in chunks of fuzzed sizes, into the frame decoder. It must either produce
 * frames that re-encode to exactly the bytes they came from, or report one
 * MuxProtocolException; never throw anything else, and release every buffer.
 *
 * <p>Seeds: FrameDecoderFuzzTestInputs/decodesOrRefuses/. Long run: see docs/security.md.
 */
@Timeout(30)
class FrameDecoderFuzzTest {
  private static final int MAX_PAYLOAD = Wire.MIN_PAYLOAD;

  @FuzzTest(maxDuration = "5m")
  void decodesOrRefuses(FuzzedDataProvider data) {
    int chunk = data.consumeInt(1, 512);
    byte[] input = data.consumeRemainingAsBytes();
    TrackingAllocator alloc = new TrackingAllocator();
    List<Throwable> errors = new ArrayList<>();
    EmbeddedChannel channel = new EmbeddedChannel();
    channel.config().setAllocator(alloc);
    channel.pipeline().addLast(new FrameDecoder(MAX_PAYLOAD), new ChannelInboundHandlerAdapter() {
      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        errors.add(cause);
      }
    });
    for (int at = 0; at < input.length; at += chunk) {
      int length = Math.min(chunk, input.length - at);
      channel.writeInbound(alloc.buffer(length).writeBytes(input, at, length));
    }
    channel.finish();

    List<Frame> frames = new ArrayList<>();
    for (Frame f; (f = channel.readInbound()) != null; ) {
      frames.add(f);
    }
    try {
      assertTrue(errors.size() <= 1, () -> "more than one error reported: " + errors);
      errors.forEach(e -> assertInstanceOf(MuxProtocolException.class, e));
      byte[] again = reencode(frames);
      if (again != null) {
        assertArrayEquals(Arrays.copyOf(input, Math.min(input.length, again.length)), again,
            "decoded frames do not re-encode to their input");
      }
    } finally {
      frames.forEach(f -> {
        if (f instanceof Frame.Data d) {
          d.release();
        }
      });
    }
    alloc.assertAllReleased();
  }

  /** The frames' wire bytes, or null if a Reset's lossy text makes an exact comparison meaningless. */
  private static byte[] reencode(List<Frame> frames) {
    ByteBuf out = Unpooled.buffer();
    for (Frame f : frames) {
      if (f instanceof Frame.Reset r && !exactText(r.message())) {
        return null;
      }
      if (f instanceof Frame.Data d) {
        out.writeByte(FrameType.DATA.code()).writeLong(d.session()).writeInt(8 + d.payload().readableBytes())
            .writeLong(d.offset()).writeBytes(d.payload(), d.payload().readerIndex(), d.payload().readableBytes());
      } else {
        FrameEncoder.encodeControl(f, out);
      }
    }
    byte[] bytes = new byte[out.readableBytes()];
    out.readBytes(bytes);
    return bytes;
  }

  private static boolean exactText(String message) {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > Wire.MAX_MESSAGE) {
      return false;
    }
    try {
      StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes));
      return !message.contains("\uFFFD");
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
