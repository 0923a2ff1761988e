package dev.weft.it.hostile;

import static dev.weft.it.hostile.RawFrames.bytes;
import static dev.weft.it.hostile.RawFrames.HELLO;
import static dev.weft.it.hostile.RawFrames.concat;
import static dev.weft.it.hostile.RawFrames.frame;
import static dev.weft.it.hostile.RawFrames.longs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.identity.Identity;
import dev.weft.link.CloseReason;
import dev.weft.link.Transport;
import dev.weft.mux.Frame;
import dev.weft.mux.Reason;
import dev.weft.mux.SessionId;
import dev.weft.node.Event;
import dev.weft.node.admin.SessionInfo;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An authenticated peer that breaks the mux protocol, over TCP and KCP. Stream-level violations
 * close that one stream; session-level ones reset that one session with a reason and leave the
 * stream up. Either way the victim's other peer keeps transferring.
 */
@Timeout(300)
class MuxAbuseTest extends AgainstVictim {
  private static final Duration ANSWER = Duration.ofSeconds(20);

  /** What the attacker writes after the link is up, as plaintext mux bytes. */
  static Stream<Arguments> streamViolations() {
    return Stream.of(
        Arguments.of("no Hello, a Query first", frame(0x01, 5, concat(bytes(0, 1, 0, 0, 4), "drop".getBytes())),
            "first frame must be Hello"),
        Arguments.of("Hello twice", concat(HELLO, HELLO), "second Hello"),
        Arguments.of("Hello with version 0", frame(0x00, 0, bytes(0, 0, 0, 1, 0, 0)), "mux version 0"),
        Arguments.of("Hello with a 512-byte max payload", frame(0x00, 0, bytes(0, 1, 0, 0, 2, 0)), "max payload 512"),
        Arguments.of("unknown frame type 0x7f", concat(HELLO, frame(0x7f, 9, new byte[4])), "unknown frame type 127"),
        Arguments.of("a 4 GiB length prefix", concat(HELLO, frame(0x03, 9, 0xFFFFFFFFL, new byte[0])), "4294967295 bytes"),
        Arguments.of("a Ping with a 7-byte body", concat(HELLO, frame(0x07, 0, new byte[7])), "7 body bytes"),
        Arguments.of("Data on session 0", concat(HELLO, frame(0x03, 0, new byte[9])), "needs a session id"),
        Arguments.of("a Ping on a session", concat(HELLO, frame(0x07, 9, new byte[8])), "must have session 0"),
        Arguments.of("Migrate of kind 9", concat(HELLO, frame(0x09, 9, concat(longs(1), bytes(9)))), "kind 9"),
        Arguments.of("Reset with reason code 200", concat(HELLO, frame(0x06, 9, bytes(200))), "reason code 200"),
        Arguments.of("a service name that is not UTF-8", concat(HELLO,
            frame(0x01, 9, bytes(0, 1, 0, 0, 2, 0xC3, 0x28))), "UTF-8"),
        Arguments.of("a Query with 2 KiB of arguments", concat(HELLO,
            frame(0x01, 9, concat(bytes(0, 1, 0, 0, 4), "drop".getBytes(), new byte[2048]))), "args of 2048 bytes"),
        Arguments.of("a window of 2^31", concat(HELLO, frame(0x04, 9, concat(longs(0), bytes(0x80, 0, 0, 0)))),
            "window 2147483648"),
        Arguments.of("an offset of 2^63", concat(HELLO, frame(0x03, 9, concat(longs(Long.MIN_VALUE), bytes(1)))),
            "offset 9223372036854775808"));
  }

  /** Each case runs over one transport, TCP and KCP in turn: the mux above them is the same. */
  static Stream<Arguments> alternating(Stream<Arguments> cases) {
    int[] index = {0};
    return cases.map(a -> {
      Object[] given = a.get();
      Object[] with = new Object[given.length + 1];
      with[0] = given[0];
      with[1] = index[0]++ % 2 == 0 ? Transport.TCP : Transport.KCP;
      System.arraycopy(given, 1, with, 2, given.length - 1);
      return Arguments.of(with);
    });
  }

  static Stream<Arguments> streamViolationsOverEitherTransport() {
    return alternating(streamViolations());
  }

  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("streamViolationsOverEitherTransport")
  void aStreamLevelViolationClosesThatStreamSayingWhy(String name, Transport transport, byte[] abuse, String why)
      throws Exception {
    victim.survives(v -> {
      try (RawLink link = RawLink.dial(v, transport)) {
        link.sendPlain(abuse);
        CloseReason told = link.closedByVictim(ANSWER);
        assertEquals(CloseReason.Origin.REMOTE, told.origin());
        assertTrue(told.message().contains(why), told.message());
        String id = link.stream.id().toString();
        Event.StreamClosed closed = v.awaitEvent(Event.StreamClosed.class, e -> e.stream().equals(id), ANSWER);
        assertEquals("closed locally: " + told.message(), closed.reason(), "the peer is told the victim's reason");
        assertTrue(v.view.streams().stream().noneMatch(s -> s.id().equals(id)));
      }
    });
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"TCP", "KCP"})
  void aStreamThatEndsInsideAFrameIsDropped(Transport transport) throws Exception {
    victim.survives(v -> {
      try (RawLink link = RawLink.dial(v, transport)) {
        link.sendPlain(concat(HELLO, frame(0x03, 9, 100, new byte[10])));
        link.stream.close("leaving mid-frame");
        String id = link.stream.id().toString();
        Event.StreamClosed closed = v.awaitEvent(Event.StreamClosed.class, e -> e.stream().equals(id), ANSWER);
        assertTrue(closed.reason().contains("leaving mid-frame"), closed.reason());
      }
    });
  }

  /** A session-level violation: the attacker's moves and the victim's exact answer. */
  @FunctionalInterface
  interface SessionAbuse {
    void run(RawLink link, Victim victim) throws Exception;
  }

  static Stream<Arguments> sessionViolations() {
    List<Arguments> cases = new ArrayList<>();
    cases.add(Arguments.of("Data for an unknown session", (SessionAbuse) (link, v) -> {
      long id = link.sessionId(false);
      link.send(new Frame.Data(id, 0, Unpooled.wrappedBuffer(new byte[100])));
      expectReset(link, id, Reason.PROTOCOL_ERROR, "data for unknown session");
    }));
    cases.add(Arguments.of("Data past the victim's credit", (SessionAbuse) (link, v) -> {
      long id = link.sessionId(false);
      Frame.Response accepted = link.query(id, Victim.DROP, 1 << 20);
      link.send(new Frame.Data(id, accepted.window() - 10, Unpooled.wrappedBuffer(new byte[100])));
      expectReset(link, id, Reason.PROTOCOL_ERROR, "credit overrun");
    }));
    cases.add(Arguments.of("another peer's session id", (SessionAbuse) (link, v) -> {
      long id = link.openDrop();
      String text = new SessionId(id).toString();
      Identity owner = v.view.sessions().stream().filter(s -> s.id().equals(text)).findFirst().orElseThrow().peer();
      RawLink other = RawLink.greeted(v, Transport.TCP);
      while ((other.sessionId(false) < 0) != (id < 0)) { // the same half of the id space as the first
        other.close();
        other = RawLink.greeted(v, Transport.TCP);
      }
      try (RawLink shadow = other) {
        assertEquals(Reason.PROTOCOL_ERROR, shadow.query(id, Victim.DROP, 1 << 20).reason());
      }
      List<SessionInfo> named = v.view.sessions().stream().filter(s -> s.id().equals(text)).toList();
      assertEquals(1, named.size(), "an operator still names exactly one session by that id");
      assertEquals(owner, named.get(0).peer());
    }));
    cases.add(Arguments.of("a reused session id", (SessionAbuse) (link, v) -> {
      long id = link.openDrop();
      assertEquals(Reason.PROTOCOL_ERROR, link.query(id, Victim.DROP, 1 << 20).reason());
      String text = new SessionId(id).toString();
      assertTrue(v.view.sessions().stream().anyMatch(s -> s.id().equals(text) && s.state().equals("OPEN")),
          "the first session with that id survives");
    }));
    cases.add(Arguments.of("a Query in the victim's half of the id space", (SessionAbuse) (link, v) ->
        assertEquals(Reason.PROTOCOL_ERROR, link.query(link.sessionId(true), Victim.DROP, 1 << 20).reason())));
    cases.add(Arguments.of("a Query with a zero window", (SessionAbuse) (link, v) ->
        assertEquals(Reason.PROTOCOL_ERROR, link.query(link.sessionId(false), Victim.DROP, 0).reason())));
    cases.add(Arguments.of("a Query for a service nobody exposes", (SessionAbuse) (link, v) ->
        assertEquals(Reason.NO_SUCH_SERVICE, link.query(link.sessionId(false), "nothing", 1 << 20).reason())));
    cases.add(Arguments.of("Data after the attacker's own Reset", (SessionAbuse) (link, v) -> {
      long id = link.openDrop();
      link.send(new Frame.Reset(id, Reason.APPLICATION, "bye"),
          new Frame.Data(id, 0, Unpooled.wrappedBuffer(new byte[10])));
      expectReset(link, id, Reason.PROTOCOL_ERROR, "data for unknown session");
    }));
    cases.add(Arguments.of("Data past the attacker's own Close", (SessionAbuse) (link, v) -> {
      long id = link.openDrop();
      link.send(new Frame.Data(id, 0, Unpooled.wrappedBuffer(new byte[10])), new Frame.Close(id, 10),
          new Frame.Data(id, 10, Unpooled.wrappedBuffer(new byte[10])));
      expectReset(link, id, Reason.PROTOCOL_ERROR, "after the peer closed");
    }));
    cases.add(Arguments.of("a Read for bytes never sent", (SessionAbuse) (link, v) -> {
      long id = link.openDrop();
      link.send(new Frame.Credit(id, 1_000_000, 1 << 20));
      expectReset(link, id, Reason.PROTOCOL_ERROR, "consumed");
    }));
    cases.add(Arguments.of("Migrate for an unknown session", (SessionAbuse) (link, v) -> {
      long id = link.sessionId(false);
      link.send(new Frame.Migrate(id, link.stream.id().value(), Frame.Migrate.Kind.REQUEST));
      expectReset(link, id, Reason.PROTOCOL_ERROR, "migration of unknown session");
    }));
    cases.add(Arguments.of("Migrate to another peer's stream", (SessionAbuse) (link, v) -> {
      long id = link.openDrop();
      long foreign = v.partnerStream();
      link.send(new Frame.Migrate(id, foreign, Frame.Migrate.Kind.REQUEST));
      link.expect(Frame.Migrate.class, m -> m.session() == id && m.stream() == foreign
          && m.kind() == Frame.Migrate.Kind.REFUSE, ANSWER);
    }));
    cases.add(Arguments.of("Migrate to a stream that does not exist", (SessionAbuse) (link, v) -> {
      long id = link.openDrop();
      link.send(new Frame.Migrate(id, 0x1234, Frame.Migrate.Kind.REQUEST));
      link.expect(Frame.Migrate.class, m -> m.session() == id && m.kind() == Frame.Migrate.Kind.REFUSE, ANSWER);
    }));
    cases.add(Arguments.of("Resume for an unknown session", (SessionAbuse) (link, v) -> {
      long id = link.sessionId(false);
      link.send(new Frame.Resume(id, 0, 0, 1 << 20));
      expectReset(link, id, Reason.STREAM_LOST, "no such session");
    }));
    cases.add(Arguments.of("Resume from offsets never sent", (SessionAbuse) (link, v) -> {
      long id = link.openDrop();
      link.send(new Frame.Resume(id, 1L << 40, 1L << 40, 1 << 20));
      expectReset(link, id, Reason.PROTOCOL_ERROR, "Resume at");
    }));
    cases.add(Arguments.of("a Response to a Query never sent", (SessionAbuse) (link, v) ->
        link.send(new Frame.Response(link.sessionId(true), null, 1 << 20))));
    return alternating(cases.stream());
  }

  private static void expectReset(RawLink link, long id, Reason reason, String message) throws InterruptedException {
    Frame.Reset reset = link.expect(Frame.Reset.class, r -> r.session() == id, ANSWER);
    assertEquals(reason, reset.reason(), reset.message());
    assertTrue(reset.message().contains(message), reset.message());
  }

  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("sessionViolations")
  void aSessionLevelViolationIsAnsweredAndTheStreamStaysUp(String name, Transport transport, SessionAbuse abuse)
      throws Exception {
    victim.survives(v -> {
      try (RawLink link = RawLink.greeted(v, transport)) {
        abuse.run(link, v);
        link.send(new Frame.Ping(42));
        link.expect(Frame.Pong.class, p -> p.id() == 42, ANSWER);
        assertTrue(link.open(), "the stream stays up");
      }
    });
  }
}
