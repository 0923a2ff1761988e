package dev.weft.it.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.link.RecordedLink;
import dev.weft.link.Stream;
import dev.weft.mux.Frame;
import dev.weft.mux.FrameDecoder;
import dev.weft.mux.FrameEncoder;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The conformance vectors of docs/protocol.md: a complete exchange run by the real link handlers
 * and mux codec with fixed keys, checked by noise-java on its own, must match
 * docs/conformance/exchange.txt byte for byte. On a difference the new text is left in
 * target/exchange.txt: after a deliberate wire change, review it and copy it over.
 */
@Timeout(30)
class ConformanceVectorsTest {
  private static final Path VECTORS = Path.of("..", "docs", "conformance", "exchange.txt");
  private static final int MAX_PAYLOAD = 65536;
  private static final int WINDOW = 32768;
  private static final byte[] DATA = "hello, weft".getBytes(StandardCharsets.US_ASCII);

  /** Each side's keys: 32 consecutive byte values each, 00..1f, 20..3f and so on. */
  static final RecordedLink.Keys DIALER = new RecordedLink.Keys(run(0x00), run(0x20), run(0x40));
  static final RecordedLink.Keys LISTENER = new RecordedLink.Keys(run(0x60), run(0x80), run(0xa0));

  /** Frames each side decoded, by side: the real decoder must take every frame the other wrote. */
  private final Map<Boolean, List<Frame>> decoded = new ConcurrentHashMap<>();

  @Test
  void theRecordedExchangeMatchesTheVectorsFile() throws Exception {
    String expected = Files.readString(VECTORS, StandardCharsets.UTF_8);
    String actual = record();
    if (!actual.equals(expected)) {
      Files.writeString(Path.of("target", "exchange.txt"), actual, StandardCharsets.UTF_8);
    }
    assertEquals(expected, actual, "docs/conformance/exchange.txt no longer matches the code (new text: "
        + "integration-tests/target/exchange.txt)");
  }

  private String record() throws Exception {
    try (RecordedLink link = RecordedLink.link(DIALER, LISTENER, this::attachMux)) {
      Stream dialer = link.dialer();
      Stream listener = link.listener();
      boolean dialerHigh = DIALER.identity().compareTo(LISTENER.identity()) > 0;
      long session = dialerHigh ? 0x8a01c3d4e5f60718L : 0x0a01c3d4e5f60718L;
      send(link, dialer, new Frame.Query(session, WINDOW, "echo", new byte[0]));
      send(link, listener, new Frame.Response(session, null, WINDOW));
      send(link, dialer, new Frame.Data(session, 0, Unpooled.wrappedBuffer(DATA)));
      send(link, listener, new Frame.Credit(session, DATA.length, WINDOW));
      send(link, listener, new Frame.Ping(0x0123456789abcdefL));
      send(link, dialer, new Frame.Pong(0x0123456789abcdefL));
      // Each side changes its sending key once: what follows is under the next keys.
      link.rekey(dialer);
      link.rekey(listener);
      // A migration to the session's current stream: accepted, and nothing moves.
      long stream = dialer.id().value();
      send(link, dialer, new Frame.Migrate(session, stream, Frame.Migrate.Kind.REQUEST));
      send(link, listener, new Frame.Migrate(session, stream, Frame.Migrate.Kind.ACCEPT));
      send(link, dialer, new Frame.Close(session, DATA.length));
      send(link, listener, new Frame.Close(session, 0));
      dialer.close("bye");
      link.exchange();
      assertEquals(List.of("Hello", "Response", "Credit", "Ping", "Migrate", "Close"), names(decoded.get(true)));
      assertEquals(List.of("Hello", "Query", "Data", "Pong", "Migrate", "Close"), names(decoded.get(false)));
      RecordedLink.Transcript t = link.transcript();
      assertEquals(stream, ByteBuffer.wrap(t.handshakeHash()).getLong(), "the stream id is the hash's first 8 bytes");
      return text(t, dialerHigh, session);
    }
  }

  /** What a node's mux does first on every stream: its codec, then Hello. */
  private void attachMux(Stream stream) {
    List<Frame> frames = decoded.computeIfAbsent(stream.initiator(), k -> new ArrayList<>());
    stream.channel().pipeline().addLast(new FrameDecoder(MAX_PAYLOAD), FrameEncoder.INSTANCE,
        new SimpleChannelInboundHandler<Frame>() {
          @Override
          protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
            frames.add(frame);
          }
        });
    stream.channel().writeAndFlush(new Frame.Hello(1, MAX_PAYLOAD));
  }

  private static void send(RecordedLink link, Stream from, Frame frame) {
    from.channel().writeAndFlush(frame);
    link.exchange();
  }

  private static List<String> names(List<Frame> frames) {
    return frames.stream().map(f -> f.getClass().getSimpleName()).toList();
  }

  private static String text(RecordedLink.Transcript t, boolean dialerHigh, long session) {
    ExchangeText text = new ExchangeText().header(
        "weft conformance vectors: one complete exchange, byte for byte (docs/protocol.md section 24).",
        "Recorded from the real link handlers and mux codec with the fixed keys below, decrypted by",
        "noise-java on its own, and compared with this file by ConformanceVectorsTest (integration-tests),",
        "which fails if one byte differs. All values are hex.",
        "",
        "D>L: dialer to listener; L>D: listener to dialer. Per message: wire = the bytes on the transport",
        "(TCP, or the KCP stream), length prefix included; plain = the Noise payload (msg2, msg3) or the",
        "transport message's plaintext (type || body); frame = each mux frame inside a DATA body;",
        "next key = after a REKEY, the key its sender uses from its next message on (Noise Rekey()).");
    for (boolean isDialer : new boolean[] {true, false}) {
      RecordedLink.Keys keys = isDialer ? DIALER : LISTENER;
      String side = isDialer ? "dialer." : "listener.";
      text.value(side + "ed25519-seed", keys.identitySeed())
          .value(side + "identity", keys.identity().toString())
          .value(side + "noise-static-private", keys.noiseStatic())
          .value(side + "noise-static-public", keys.noiseStaticPublic())
          .value(side + "noise-ephemeral-private", keys.noiseEphemeral())
          .value(side + "noise-ephemeral-public", keys.noiseEphemeralPublic())
          .blank();
    }
    return text.value("handshake-hash", t.handshakeHash())
        .value("stream-id", Arrays.copyOf(t.handshakeHash(), 8))
        .value("k1 (dialer to listener)", t.k1())
        .value("k2 (listener to dialer)", t.k2())
        .value("high side", dialerHigh ? "dialer" : "listener")
        .value("session", String.format("%016x", session))
        .blank()
        .messages(t.messages())
        .toString();
  }

  private static byte[] run(int first) {
    byte[] out = new byte[32];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) (first + i);
    }
    return out;
  }
}
