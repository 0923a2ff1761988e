package dev.weft.it.hostile;

import static dev.weft.it.hostile.RawFrames.bytes;
import static dev.weft.it.hostile.RawFrames.concat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.link.Transport;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Strangers who never complete a handshake: junk, wrong versions, bad lengths, slow dribbles and
 * half-open KCP conversations. Each is closed (by the rule or by the 10 s handshake timeout), and
 * a real peer can still link afterwards.
 */
@Timeout(300)
class PreHandshakeAbuseTest extends AgainstVictim {
  private static final byte[] HELLO = {'w', 'e', 'f', 't', 0, 1};
  private static final long HANDSHAKE_TIMEOUT_MS = 10_000;

  static Stream<Arguments> junk() {
    byte[] random = new byte[4096];
    new Random(7).nextBytes(random);
    random[0] = 'x';
    return Stream.of(
        Arguments.of("random bytes", random, new byte[0]),
        Arguments.of("an HTTP request", "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(), new byte[0]),
        Arguments.of("another protocol version", bytes('w', 'e', 'f', 't', 0, 9), HELLO),
        Arguments.of("a 65535-byte handshake message", concat(HELLO, bytes(0xFF, 0xFF)), HELLO),
        Arguments.of("an empty handshake message", concat(HELLO, bytes(0, 0)), HELLO),
        Arguments.of("message 1 with a payload", concat(HELLO, bytes(0, 40), new byte[40]), HELLO));
  }

  @ParameterizedTest(name = "{0} over TCP")
  @MethodSource("junk")
  void junkIsClosedWithAtMostTheHello(String name, byte[] junk, byte[] reply) throws Exception {
    victim.survives(v -> {
      try (Socket socket = connect(v)) {
        socket.getOutputStream().write(junk);
        assertArrayEquals(reply, readToEnd(socket), "the victim answers at most its hello, then closes");
      }
      RawLink.dial(v, Transport.TCP).close();
    });
  }

  @Test
  void aForgedMessage3IsClosed() throws Exception {
    victim.survives(v -> {
      try (Socket socket = connect(v)) {
        byte[] ephemeral = new byte[32];
        new Random(9).nextBytes(ephemeral);
        socket.getOutputStream().write(concat(HELLO, bytes(0, 32), ephemeral));
        byte[] answer = socket.getInputStream().readNBytes(HELLO.length + 2 + 193);
        assertArrayEquals(concat(HELLO, bytes(0, 193)), Arrays.copyOf(answer, 8), "hello, then message 2");
        byte[] forged = new byte[161];
        new Random(10).nextBytes(forged);
        socket.getOutputStream().write(concat(bytes(0, 161), forged));
        assertArrayEquals(new byte[0], readToEnd(socket));
      }
    });
  }

  @Test
  void anotherVersionOverKcpGetsTheHello() throws Exception {
    victim.survives(v -> {
      try (KcpProbe probe = new KcpProbe(v.address(Transport.KCP))) {
        probe.push(bytes('w', 'e', 'f', 't', 0, 9));
        assertArrayEquals(HELLO, probe.receive(HELLO.length, Duration.ofSeconds(10)));
      }
      RawLink.dial(v, Transport.KCP).close();
    });
  }

  /**
   * 300 connections dribble a valid hello and message 1 a byte every 400 ms (16 s in all): those
   * beyond the pending-handshake cap are closed at once, the rest by the handshake timeout (the
   * upper bound allows for two shared cores under load).
   */
  @Test
  void slowlorisIsCutOffByTheHandshakeTimeout() throws Exception {
    victim.survives(v -> {
      byte[] valid = concat(HELLO, bytes(0, 32), new byte[32]);
      List<Dribble> dribbles = new ArrayList<>();
      try {
        for (int i = 0; i < 300; i++) {
          dribbles.add(Dribble.start(v.attackerLoops().tcp, v.address(Transport.TCP), valid, 400));
        }
        long atOnce = 0;
        for (Dribble d : dribbles) {
          long millis = d.closedAfterMillis(4 * HANDSHAKE_TIMEOUT_MS);
          assertTrue(millis < 3 * HANDSHAKE_TIMEOUT_MS, "closed after " + millis + " ms");
          atOnce += millis < HANDSHAKE_TIMEOUT_MS / 2 ? 1 : 0;
        }
        assertTrue(atOnce >= 300 - Victim.PENDING_HANDSHAKES, atOnce + " closed at once");
        assertTrue(atOnce < 300, "those within the cap wait for the timeout");
      } finally {
        dribbles.forEach(Dribble::close);
      }
      RawLink.dial(v, Transport.TCP).close();
    });
  }

  /** 300 KCP sources each send a hello and go quiet; once they time out a real peer links over KCP. */
  @Test
  void halfOpenKcpFromManySourcePortsIsTimedOut() throws Exception {
    victim.survives(v -> {
      List<KcpProbe> probes = new ArrayList<>();
      try {
        for (int i = 0; i < 300; i++) {
          KcpProbe probe = new KcpProbe(v.address(Transport.KCP));
          probes.add(probe);
          probe.push(HELLO);
        }
        linkEventually(v, Transport.KCP, Duration.ofMillis(HANDSHAKE_TIMEOUT_MS * 3));
      } finally {
        probes.forEach(KcpProbe::close);
      }
    });
  }

  @Test
  void randomDatagramsFromManySourcePortsAreIgnored() throws Exception {
    victim.survives(v -> {
      Random random = new Random(11);
      InetSocketAddress target = v.address(Transport.KCP);
      for (int i = 0; i < 100; i++) {
        try (KcpProbe probe = new KcpProbe(target)) {
          for (int j = 0; j < 5; j++) {
            byte[] junk = new byte[1 + random.nextInt(1400)];
            random.nextBytes(junk);
            probe.datagram(junk);
          }
        }
      }
      linkEventually(v, Transport.KCP, Duration.ofMillis(HANDSHAKE_TIMEOUT_MS * 3));
    });
  }

  /** Dials until a link comes up (each attempt bounded by the handshake timeout). */
  private static void linkEventually(Victim v, Transport transport, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      try {
        RawLink.dial(v, transport).close();
        return;
      } catch (Exception e) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("no link over " + transport + " within " + within, e);
        }
      }
    }
  }

  private static Socket connect(Victim v) throws Exception {
    Socket socket = new Socket();
    socket.connect(v.address(Transport.TCP), 5000);
    socket.setSoTimeout((int) HANDSHAKE_TIMEOUT_MS + 5000);
    return socket;
  }

  /** Everything until the victim closes; a reset counts as closed too. */
  private static byte[] readToEnd(Socket socket) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[4096];
    try {
      for (int n; (n = in.read(buffer)) != -1; ) {
        out.write(buffer, 0, n);
      }
    } catch (SocketException reset) {
      assertTrue(reset.getMessage().contains("reset"), reset.getMessage());
    }
    return out.toByteArray();
  }
}
