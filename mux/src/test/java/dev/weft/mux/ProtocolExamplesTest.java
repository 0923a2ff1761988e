package dev.weft.mux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The hand-written frames of docs/protocol.md (the migration and resume exchanges of sections 20.1
 * and 21.1, and the Reset quoted there) are what the codec decodes and writes back byte for byte.
 */
@Timeout(10)
class ProtocolExamplesTest {
  private static final Path SPEC = Path.of("..", "docs", "protocol.md");
  /** A frame line of an exchange: {@code on O  A→B  03 8a01… 00004008 … <16384 bytes>   comment}. */
  private static final Pattern EXCHANGE_LINE = Pattern.compile("^on [A-Z]\\s+[AB]→[AB]\\s+(.*)$");
  /** A frame quoted in prose: {@code `06 8a01c3d4e5f60718 0000001a 07 "no such session to resume"`}. */
  private static final Pattern QUOTED_FRAME = Pattern.compile("`([0-9a-f]{2} [0-9a-f]{16} [0-9a-f]{8} [^`]*)`");
  /** One token of a frame: hex bytes, {@code <n bytes>} (any content, zeros here), or a quoted string. */
  private static final Pattern TOKEN = Pattern.compile("\\s*(?:([0-9a-f]{2})+\\b|<(\\d+) bytes>|\"([^\"]*)\")");
  private static final int EXAMPLES = 12;

  @Test
  void everyFrameExampleDecodesAndEncodesToTheSameBytes() throws Exception {
    List<byte[]> examples = examples(Files.readAllLines(SPEC, StandardCharsets.UTF_8));
    assertEquals(EXAMPLES, examples.size(), "frame examples found in docs/protocol.md");
    for (byte[] example : examples) {
      String hex = ByteBufUtil.hexDump(example, 0, Math.min(example.length, 40));
      Frame frame = decode(example);
      ByteBuf encoded = encode(frame);
      assertArrayEquals(example, ByteBufUtil.getBytes(encoded), "re-encoding " + hex);
      encoded.release();
    }
  }

  private static List<byte[]> examples(List<String> lines) {
    List<byte[]> found = new ArrayList<>();
    for (String line : lines) {
      Matcher exchange = EXCHANGE_LINE.matcher(line);
      if (exchange.matches()) {
        found.add(bytes(exchange.group(1)));
      }
      Matcher quoted = QUOTED_FRAME.matcher(line);
      while (quoted.find()) {
        found.add(bytes(quoted.group(1)));
      }
    }
    return found;
  }

  /** The frame's bytes: its tokens up to the first that is none (the comment after it). */
  private static byte[] bytes(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Matcher token = TOKEN.matcher(text);
    while (token.lookingAt()) {
      if (token.group(2) != null) {
        out.writeBytes(new byte[Integer.parseInt(token.group(2))]);
      } else if (token.group(3) != null) {
        out.writeBytes(token.group(3).getBytes(StandardCharsets.UTF_8));
      } else {
        out.writeBytes(HexFormat.of().parseHex(token.group().strip()));
      }
      token.region(token.end(), text.length());
    }
    return out.toByteArray();
  }

  /** Exactly one frame, after a Hello, with nothing left over and no protocol error. */
  private static Frame decode(byte[] example) {
    EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(65536));
    in.writeInbound(Unpooled.wrappedBuffer(encodeHello()), Unpooled.wrappedBuffer(example));
    in.checkException();
    Frame hello = in.readInbound();
    Frame frame = in.readInbound();
    assertTrue(hello instanceof Frame.Hello && frame != null, "no frame in " + ByteBufUtil.hexDump(example));
    assertNull(in.readInbound(), "more than one frame");
    in.finishAndReleaseAll();
    return frame;
  }

  private static byte[] encodeHello() {
    ByteBuf hello = encode(new Frame.Hello(1, 65536));
    byte[] bytes = ByteBufUtil.getBytes(hello);
    hello.release();
    return bytes;
  }

  private static ByteBuf encode(Frame frame) {
    EmbeddedChannel out = new EmbeddedChannel(FrameEncoder.INSTANCE);
    out.writeOutbound(frame);
    ByteBuf all = Unpooled.buffer();
    for (ByteBuf b; (b = out.readOutbound()) != null; ) {
      all.writeBytes(b);
      b.release();
    }
    out.finishAndReleaseAll();
    return all;
  }
}
