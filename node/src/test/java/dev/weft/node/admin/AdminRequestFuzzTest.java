package dev.weft.node.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.weft.identity.NodeKey;
import dev.weft.link.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;

/**
 * Raw bytes from an admin client into the admin server's pipeline. Whatever arrives, every answer
 * is an HTTP response, a request without the token never reaches the node nor gets a 2xx, nothing
 * is thrown and every buffer is released.
 */
@Timeout(30)
class AdminRequestFuzzTest {
  static final String TOKEN = "5e1f0c3d9a7b2468";
  /** A 2xx head, except the dashboard's public files (the only answers with a content policy). */
  private static final Pattern SUCCESS = Pattern.compile(
      "(?m)^HTTP/1\\.1 2\\d\\d [^\r\n]*\r\n(?:(?!content-security-policy:)[^\r\n]+\r\n)*\r\n");

  @FuzzTest(maxDuration = "5m")
  void answersOrCloses(FuzzedDataProvider data) {
    int chunk = data.consumeInt(1, 1024);
    byte[] input = data.consumeRemainingAsBytes();
    boolean authorized = new String(input, StandardCharsets.ISO_8859_1).contains(TOKEN);
    FakeNode node = new FakeNode(NodeKey.fromSeed(new byte[32]).identity());
    TrackingAllocator alloc = new TrackingAllocator();
    EmbeddedChannel channel = new EmbeddedChannel();
    channel.config().setAllocator(alloc);
    channel.pipeline().addLast(AdminServer.handlers(AdminApi.routes(node), node, TOKEN,
        new DashboardLogins(Clock.systemUTC()), AllowedOrigins.none()));
    for (int at = 0; at < input.length && channel.isOpen(); at += chunk) {
      int length = Math.min(chunk, input.length - at);
      channel.writeInbound(alloc.buffer(length).writeBytes(input, at, length));
      channel.runPendingTasks();
    }
    String answers = drain(channel);
    channel.finishAndReleaseAll();
    alloc.assertAllReleased();

    assertTrue(answers.isEmpty() || answers.startsWith("HTTP/1.1 "), () -> "not an HTTP response: " + answers);
    if (!authorized) {
      assertTrue(node.calls.isEmpty(), () -> "unauthenticated request reached the node: " + node.calls);
      assertEquals(0, node.exposes.size(), "unauthenticated request changed the node");
      // Status lines only: error bodies may quote the request, but JSON never holds a raw line break.
      assertFalse(SUCCESS.matcher(answers).find(), () -> "2xx without the token: " + answers);
    }
  }

  private static String drain(EmbeddedChannel channel) {
    StringBuilder all = new StringBuilder();
    for (Object out; (out = channel.readOutbound()) != null; ) {
      ByteBuf buf = (ByteBuf) out;
      all.append(buf.toString(StandardCharsets.ISO_8859_1));
      buf.release();
    }
    return all.toString();
  }
}
