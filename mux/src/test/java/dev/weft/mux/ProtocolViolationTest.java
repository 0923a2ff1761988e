package dev.weft.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A hand-driven peer that speaks raw frames to a real {@link SessionTable} and breaks the rules. */
@Timeout(30)
class ProtocolViolationTest {
  /** The raw side is the high side, so its session ids have the top bit set. */
  private static final long SID = 0x8000_0000_0000_0005L;
  private static final long STREAM = 77;
  private static final int MAX_WINDOW = 256 * 1024;

  private final DefaultEventLoopGroup group = new DefaultEventLoopGroup(2);
  private final Recorder events = new Recorder();
  private final BlockingQueue<Frame> received = new LinkedBlockingQueue<>();
  /** Ids the peer gives the raw side's streams, in the order they connect. */
  private final AtomicLong streams = new AtomicLong(STREAM);
  private LocalAddress address;
  private SessionTable peer;
  private Channel server;
  private Channel raw;

  @BeforeEach
  void connect() throws Exception {
    Acceptor hold = q -> q.service().equals("hold") ? Acceptance.accept(s -> { }) : Acceptance.reject(Reason.NO_SUCH_SERVICE);
    MuxConfig config = MuxConfig.defaults().withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(10), Duration.ZERO)
        .withWindows(64 * 1024, MAX_WINDOW);
    peer = new SessionTable(group.next(), false, config, hold, events);
    address = new LocalAddress("raw-" + ThreadLocalRandom.current().nextLong());
    server = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
        .childHandler(new ChannelInitializer<LocalChannel>() {
          @Override
          protected void initChannel(LocalChannel ch) {
            peer.attach(ch, streams.getAndIncrement(), reason -> ch.close());
          }
        }).bind(address).sync().channel();
    raw = connectRaw(STREAM);
  }

  /** A raw stream from the same peer, ready (Hellos exchanged) once this returns. */
  private Channel connectRaw(long id) throws Exception {
    Channel ch = new Bootstrap().group(group).channel(LocalChannel.class)
        .handler(new ChannelInitializer<LocalChannel>() {
          @Override
          protected void initChannel(LocalChannel ch) {
            ch.pipeline().addLast(new FrameDecoder(65536), FrameEncoder.INSTANCE, new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof Frame.Data d) {
                  d.release();
                }
                received.add((Frame) msg);
              }
            });
          }
        }).connect(address).sync().channel();
    ch.writeAndFlush(new Frame.Hello(1, 65536));
    assertInstanceOf(Frame.Hello.class, next());
    Fixture.await(events.attached(id));
    return ch;
  }

  @AfterEach
  void close() throws Exception {
    raw.close().sync();
    server.close().sync();
    Fixture.await(peer.close());
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  /** Next frame from the peer, skipping liveness traffic. */
  private Frame next() throws InterruptedException {
    while (true) {
      Frame f = received.poll(10, TimeUnit.SECONDS);
      assertNotNull(f, "no frame from the peer");
      if (f instanceof Frame.Ping p) {
        raw.writeAndFlush(new Frame.Pong(p.id()));
      } else if (!(f instanceof Frame.Pong)) {
        return f;
      }
    }
  }

  private Frame.Response open(long sid) throws InterruptedException {
    raw.writeAndFlush(new Frame.Query(sid, 65536, "hold", new byte[0]));
    return assertInstanceOf(Frame.Response.class, next());
  }

  private Frame.Reset expectReset(long sid) throws InterruptedException {
    Frame.Reset reset = assertInstanceOf(Frame.Reset.class, next());
    assertEquals(sid, reset.session());
    assertEquals(Reason.PROTOCOL_ERROR, reset.reason());
    return reset;
  }

  @Test
  void creditOverrunResetsTheSession() throws Exception {
    Frame.Response response = open(SID);
    assertTrue(response.accepted());
    int window = response.window();
    long offset = 0;
    while (offset < window) {
      int n = (int) Math.min(65536, window - offset);
      raw.write(new Frame.Data(SID, offset, Unpooled.wrappedBuffer(new byte[n])));
      offset += n;
    }
    raw.writeAndFlush(new Frame.Data(SID, offset, Unpooled.wrappedBuffer(new byte[1])));
    assertTrue(expectReset(SID).message().contains("credit overrun"));
    Fixture.await(events.seen("reset PROTOCOL_ERROR"));
    assertTrue(peer.sessions().isEmpty());
    assertTrue(raw.isActive(), "a session-level violation leaves the stream up");
  }

  @Test
  void tooManyGapsInEarlyDataResetTheSession() throws Exception {
    assertTrue(open(SID).accepted());
    for (int gap = 1; gap <= Wire.MAX_EARLY_RUNS + 1; gap++) {
      raw.write(new Frame.Data(SID, 2L * gap, Unpooled.wrappedBuffer(new byte[1])));
    }
    raw.flush();
    assertTrue(expectReset(SID).message().contains("gaps"));
    assertTrue(raw.isActive(), "a session-level violation leaves the stream up");
  }

  @Test
  void repeatedResumesOnOneStreamAreAnsweredAndReSendTheDataOnce() throws Exception {
    assertTrue(open(SID).accepted());
    Session session = peer.sessions().get(0);
    session.write(Unpooled.wrappedBuffer(new byte[1000]));
    assertEquals(0, assertInstanceOf(Frame.Data.class, next()).offset());
    for (int i = 0; i < 3; i++) {
      raw.writeAndFlush(new Frame.Resume(SID, 0, 0, 65536));
    }
    raw.writeAndFlush(new Frame.Ping(42)); // answered once the Resumes before it were handled
    int resumes = 0;
    int data = 0; // the re-sent Data may overtake the Pong
    for (Frame f = next(); !(f instanceof Frame.Pong p && p.id() == 42); f = received.poll(10, TimeUnit.SECONDS)) {
      assertNotNull(f, "no Pong from the peer");
      resumes += f instanceof Frame.Resume ? 1 : 0;
      data += f instanceof Frame.Data ? 1 : 0;
    }
    session.write(Unpooled.wrappedBuffer(new byte[1])); // goes out after whatever the Resumes re-send
    for (Frame f = next(); !(f instanceof Frame.Data d && d.offset() == 1000); f = next()) {
      data += f instanceof Frame.Data ? 1 : 0;
    }
    assertEquals(3, resumes, "every Resume is answered");
    assertEquals(1, data, "only the first re-sends what was not acknowledged");
    assertEquals(SessionState.OPEN, session.state());
    assertTrue(raw.isActive());
  }

  @Test
  void resumesAlternatingBetweenTwoStreamsReSendOnlyABoundedNumberOfWindows() throws Exception {
    assertTrue(open(SID).accepted());
    Session session = peer.sessions().get(0);
    Channel other = connectRaw(STREAM + 1);
    session.write(Unpooled.wrappedBuffer(new byte[1000]));
    assertEquals(0, assertInstanceOf(Frame.Data.class, nextSkippingResumes()).offset());
    Channel[] both = {raw, other};
    for (int i = 0; i < SendHalf.MAX_REWINDS; i++) { // each one on "another stream": a rewind
      both[i % 2].writeAndFlush(new Frame.Resume(SID, 0, 0, 65536));
      assertEquals(0, assertInstanceOf(Frame.Data.class, nextSkippingResumes()).offset(), "re-sent");
    }
    // Acknowledging everything re-sent is progress: the count starts again.
    raw.writeAndFlush(new Frame.Credit(SID, 1000, 65536));
    session.write(Unpooled.wrappedBuffer(new byte[1]));
    assertEquals(1000, assertInstanceOf(Frame.Data.class, nextSkippingResumes()).offset());
    for (int i = 0; i < SendHalf.MAX_REWINDS; i++) {
      both[i % 2].writeAndFlush(new Frame.Resume(SID, 1000, 1000, 65536));
      assertEquals(1000, assertInstanceOf(Frame.Data.class, nextSkippingResumes()).offset(), "re-sent");
    }
    raw.writeAndFlush(new Frame.Resume(SID, 1000, 1000, 65536));
    Frame.Reset reset = assertInstanceOf(Frame.Reset.class, nextSkippingResumes(), "one rewind too many");
    assertEquals(Reason.PROTOCOL_ERROR, reset.reason());
    assertTrue(reset.message().contains("Resumes made it send again"), reset.message());
    other.close().sync();
  }

  /** The next frame from the peer other than its answers to Resumes. */
  private Frame nextSkippingResumes() throws InterruptedException {
    Frame f = next();
    while (f instanceof Frame.Resume) {
      f = next();
    }
    return f;
  }

  /**
   * The raw peer accepts, then resumes on another stream before its Response arrives (its first
   * stream stalled): the opener ignores that Resume instead of resetting the session, opens on
   * the Response, and answers the Resume sent again.
   */
  @Test
  void aResumeAheadOfItsSessionsResponseIsIgnoredUntilTheSessionOpens() throws Exception {
    var open = peer.open("anything", new byte[0]);
    long sid = assertInstanceOf(Frame.Query.class, next()).session();
    Channel other = connectRaw(STREAM + 1);
    other.writeAndFlush(new Frame.Resume(sid, 0, 0, 65536));
    raw.writeAndFlush(new Frame.Response(sid, null, 65536));
    Session session = Fixture.await(open);
    assertEquals(SessionState.OPEN, session.state());
    other.writeAndFlush(new Frame.Resume(sid, 0, 0, 65536));
    assertEquals(sid, assertInstanceOf(Frame.Resume.class, next(), "no Reset; the repeated Resume answered").session());
    other.close().sync();
  }

  @Test
  void aResumeOvertakenByALaterCreditIsAnsweredAndIgnored() throws Exception {
    assertTrue(open(SID).accepted());
    Session session = peer.sessions().get(0);
    session.write(Unpooled.wrappedBuffer(new byte[1000]));
    assertEquals(0, assertInstanceOf(Frame.Data.class, next()).offset());
    raw.writeAndFlush(new Frame.Credit(SID, 1000, 65536));
    // Sent before that Credit on a stream that stalled, arriving only now: it asks for acknowledged bytes.
    raw.writeAndFlush(new Frame.Resume(SID, 0, 0, 65536));
    assertEquals(SID, assertInstanceOf(Frame.Resume.class, next()).session(), "answered");
    session.write(Unpooled.wrappedBuffer(new byte[1]));
    assertEquals(1000, assertInstanceOf(Frame.Data.class, next()).offset(), "nothing re-sent");
    assertEquals(SessionState.OPEN, session.state());
  }

  @Test
  void aHugeClaimedWindowDoesNotLetWritesRunAheadOfAcknowledgement() throws Exception {
    raw.writeAndFlush(new Frame.Query(SID, Integer.MAX_VALUE, "hold", new byte[0]));
    assertTrue(assertInstanceOf(Frame.Response.class, next()).accepted());
    Session session = peer.sessions().get(0);
    int piece = MAX_WINDOW / 2;
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      writes.add(session.write(Unpooled.wrappedBuffer(new byte[piece])));
    }
    long sent = 0;
    while (sent < 4L * piece) { // the peer's credit lets all of it go out
      sent = Math.max(sent, assertInstanceOf(Frame.Data.class, next()).end());
    }
    Fixture.await(writes.get(1));
    assertFalse(writes.get(2).isDone(), "held beyond this side's largest window without acknowledgement");
    raw.writeAndFlush(new Frame.Credit(SID, sent, Integer.MAX_VALUE));
    Fixture.await(writes.get(3));
  }

  @Test
  void creditForBytesNeverSentResetsTheSession() throws Exception {
    raw.writeAndFlush(new Frame.Query(SID, 16, "hold", new byte[0]));
    assertTrue(assertInstanceOf(Frame.Response.class, next()).accepted());
    peer.sessions().get(0).write(Unpooled.wrappedBuffer(new byte[100])); // only 16 fit the window
    Frame.Data sent = assertInstanceOf(Frame.Data.class, next());
    assertEquals(16, sent.end());
    raw.writeAndFlush(new Frame.Credit(SID, 50, 16)); // written, but never sent
    assertTrue(expectReset(SID).message().contains("only 16 sent"));
    assertTrue(raw.isActive(), "a session-level violation leaves the stream up");
  }

  @Test
  void anOpenTheRawPeerNeverAnswersTimesOut() throws Exception {
    var open = peer.open("anything", new byte[] {1});
    Frame.Query query = assertInstanceOf(Frame.Query.class, next());
    assertEquals("anything", query.service());
    assertTrue(query.session() > 0, "the low side opens ids without the top bit");
    assertEquals(Reason.TIMEOUT, SessionTest.rejection(open));
    Frame.Reset reset = assertInstanceOf(Frame.Reset.class, next());
    assertEquals(query.session(), reset.session());
    assertEquals(Reason.TIMEOUT, reset.reason());
  }

  @Test
  void dataForAnUnknownSessionIsAnsweredWithReset() throws Exception {
    raw.writeAndFlush(new Frame.Data(SID, 0, Unpooled.wrappedBuffer(new byte[10])));
    assertTrue(expectReset(SID).message().contains("unknown session"));
  }

  @Test
  void duplicateAndWrongHalfIdsAreRefused() throws Exception {
    assertTrue(open(SID).accepted());
    Frame.Response duplicate = open(SID);
    assertEquals(Reason.PROTOCOL_ERROR, duplicate.reason());
    Frame.Response wrongHalf = open(5);
    assertEquals(Reason.PROTOCOL_ERROR, wrongHalf.reason());
    assertEquals(1, peer.sessions().size());
  }

  private void expectStreamClosed(String because) throws Exception {
    String reason = Fixture.await(events.detached(STREAM));
    assertTrue(reason.contains(because), reason);
    raw.closeFuture().await(10, TimeUnit.SECONDS);
    assertFalse(raw.isActive());
  }

  @Test
  void unknownFrameTypeClosesTheStream() throws Exception {
    raw.writeAndFlush(Unpooled.buffer().writeByte(0x55).writeLong(SID).writeInt(0));
    expectStreamClosed("unknown frame type");
  }

  @Test
  void truncatedFrameClosesTheStream() throws Exception {
    raw.writeAndFlush(Unpooled.buffer().writeByte(FrameType.PONG.code()).writeLong(0).writeInt(3).writeBytes(new byte[3]));
    expectStreamClosed("expected 8");
  }

  @Test
  void oversizedFrameClosesTheStream() throws Exception {
    ByteBuf header = Unpooled.buffer().writeByte(FrameType.DATA.code()).writeLong(SID).writeInt(1 << 20);
    raw.writeAndFlush(header);
    expectStreamClosed("more than the limit");
  }

  @Test
  void aStreamWhoseTransportEndsInsideAFrameIsNotBlamedOnThePeer() throws Exception {
    // A Data frame declaring 100 bytes, 10 of them sent: the transport ends mid-frame.
    raw.writeAndFlush(Unpooled.buffer().writeByte(FrameType.DATA.code()).writeLong(SID).writeInt(100)
        .writeBytes(new byte[10])).sync();
    raw.close();
    String reason = Fixture.await(events.detached(STREAM));
    assertFalse(reason.contains("protocol error"), "the link's close reason says why, not the mux: " + reason);
  }

  @Test
  void openSessionsEndWhenTheStreamIsClosedForAViolation() throws Exception {
    assertTrue(open(SID).accepted());
    Session session = peer.sessions().get(0);
    raw.writeAndFlush(Unpooled.buffer().writeByte(0x55).writeLong(SID).writeInt(0));
    expectStreamClosed("unknown frame type");
    // No other stream: the session waits out the grace period in FAILING_OVER.
    assertEquals(SessionState.FAILING_OVER, session.state());
    assertEquals(0, session.streamId());
  }
}
