package dev.weft.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.link.Endpoint;
import dev.weft.link.Stream;
import dev.weft.link.Transport;
import dev.weft.mux.Session;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Traffic samples over real streams: what a session moved shows on its stream, to those who asked. */
@Timeout(30)
class TrafficSamplerTest {
  @TempDir
  Path dirA;
  @TempDir
  Path dirB;

  private static Node start(Path dir) throws Exception {
    return Node.start(NodeConfig.builder(dir).createIdentity(true).threads(1)
        .listen("tcp:127.0.0.1:0").build());
  }

  @Test
  void aSessionsBytesShowOnItsStream() throws Exception {
    try (Node a = start(dirA); Node b = start(dirB);
        Subscription traffic = a.subscribe(64, true); Subscription plain = a.subscribe(64)) {
      b.expose("echo", NodeTest::echo, Access.anyone());
      Endpoint at = new Endpoint(Transport.TCP, "127.0.0.1", b.listeners().get(0).port());
      Stream stream = a.link(b.identity(), at).get(10, TimeUnit.SECONDS);
      Session session = a.open(b.identity(), "echo").get(10, TimeUnit.SECONDS);
      byte[] data = new byte[20_000]; // within the windows: nothing reads while this writes
      new Random(7).nextBytes(data);
      OutputStream out = session.outputStream();
      out.write(data);
      out.flush();
      InputStream in = session.inputStream();
      assertArrayEquals(data, in.readNBytes(data.length)); // the session stays open

      long received = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      Event.Traffic.SessionBytes seen = null;
      while (seen == null || seen.bytesIn() < data.length) {
        assertTrue(System.nanoTime() < deadline, "no sample with the session's bytes");
        Event e = traffic.poll(Duration.ofSeconds(2));
        if (e instanceof Event.Traffic sample) {
          for (Event.Traffic.StreamRate rate : sample.streams()) {
            assertEquals(stream.id().toString(), rate.stream());
            received += rate.inPerSecond();
          }
          seen = sample.sessions().stream().filter(s -> s.session().equals(session.id().toString()))
              .findFirst().orElse(seen);
        }
      }
      assertEquals(data.length, seen.bytesOut());
      assertEquals(stream.id().toString(), seen.stream());
      assertTrue(received > 0, "the stream's rate counts what the session received");
      for (Event e; (e = plain.poll()) != null; ) {
        assertFalse(e instanceof Event.Traffic, "a subscription that did not ask got a sample");
      }
    }
  }
}
