package dev.weft.it.hostile;

import dev.weft.identity.NodeKey;
import dev.weft.link.CloseReason;
import dev.weft.link.Linker;
import dev.weft.link.Stream;
import dev.weft.link.Transport;
import dev.weft.mux.Frame;
import dev.weft.mux.FrameDecoder;
import dev.weft.mux.FrameEncoder;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * An authenticated attacker: a genuine link to the victim (its own fresh identity, a real Noise
 * handshake) over which it writes whatever it likes, as mux frames, as raw plaintext, or as raw
 * bytes under the encryption. It answers the victim's Pings (until told not to), counts the Data
 * bytes it is sent and records every other frame.
 */
final class RawLink implements AutoCloseable {
  static final int MAX_PAYLOAD = 64 * 1024;

  final Stream stream;
  private final Linker linker;
  private final Inbound inbound;
  private final boolean highSide;
  private final SplittableRandom random = new SplittableRandom();

  private RawLink(Linker linker, Stream stream, Inbound inbound, boolean highSide) {
    this.linker = linker;
    this.stream = stream;
    this.inbound = inbound;
    this.highSide = highSide;
  }

  /** Links to the victim; with {@code reading} false the attacker never reads what it is sent. */
  static RawLink dial(Target victim, Transport transport, boolean reading) throws Exception {
    NodeKey key = NodeKey.generate();
    Inbound inbound = new Inbound();
    AttackerLoops loops = victim.attackerLoops();
    Linker linker = Linker.builder(key).eventLoops(loops.tcp, loops.kcp).onStream(s -> {
      s.channel().config().setAutoRead(reading);
      s.channel().pipeline().addLast(new FrameDecoder(MAX_PAYLOAD), FrameEncoder.INSTANCE,
          new ReceivedFrames(inbound));
    }).build();
    try {
      Stream stream = linker.dial(victim.endpoint(transport), victim.identity())
          .get(20, TimeUnit.SECONDS);
      return new RawLink(linker, stream, inbound, key.identity().compareTo(victim.identity()) > 0);
    } catch (Exception e) {
      linker.close();
      throw e;
    }
  }

  static RawLink dial(Target victim, Transport transport) throws Exception {
    return dial(victim, transport, true);
  }

  /** Links and says Hello, as a well-behaved mux would first. */
  static RawLink greeted(Target victim, Transport transport) throws Exception {
    RawLink link = dial(victim, transport);
    link.send(new Frame.Hello(1, MAX_PAYLOAD));
    return link;
  }

  /** What the victim sent: frames other than Data and Ping, and the Data bytes counted. */
  private static final class Inbound {
    final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    final AtomicLong dataBytes = new AtomicLong();
    volatile boolean answeringPings = true;
  }

  private static final class ReceivedFrames extends SimpleChannelInboundHandler<Frame> {
    private final Inbound inbound;

    ReceivedFrames(Inbound inbound) {
      this.inbound = inbound;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
      if (frame instanceof Frame.Ping ping) {
        if (inbound.answeringPings) {
          ctx.writeAndFlush(new Frame.Pong(ping.id()));
        }
      } else if (frame instanceof Frame.Data data) {
        inbound.dataBytes.addAndGet(data.payload().readableBytes());
      } else {
        inbound.frames.add(frame);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** A fresh session id in this attacker's half of the id space (or, if {@code wrongHalf}, the victim's). */
  long sessionId(boolean wrongHalf) {
    long bits = random.nextLong() & Long.MAX_VALUE | 1;
    return highSide != wrongHalf ? bits | Long.MIN_VALUE : bits;
  }

  void send(Frame... frames) {
    for (Frame frame : frames) {
      stream.channel().write(frame);
    }
    stream.channel().flush();
  }

  /** Plaintext bytes into the link: encrypted and authenticated like any mux frame. */
  void sendPlain(byte[] bytes) {
    stream.channel().writeAndFlush(Unpooled.wrappedBuffer(bytes));
  }

  /** Bytes written straight to the transport, under the encryption. */
  void sendUnderEncryption(byte[] bytes) {
    stream.channel().pipeline().firstContext().writeAndFlush(Unpooled.wrappedBuffer(bytes));
  }

  /** Opens a session to {@code service} and returns the victim's answer. */
  Frame.Response query(long session, String service, int window) throws InterruptedException {
    send(new Frame.Query(session, window, service, new byte[0]));
    return expect(Frame.Response.class, r -> r.session() == session, Duration.ofSeconds(20));
  }

  /** Opens an accepted session to the victim's swallowing service; returns its id. */
  long openDrop() throws InterruptedException {
    long id = sessionId(false);
    Frame.Response response = query(id, Victim.DROP, 256 * 1024);
    if (!response.accepted()) {
      throw new AssertionError("the victim refused a plain session: " + response);
    }
    return id;
  }

  /** Waits for the next recorded frame of {@code type} that matches; others are skipped. */
  <T extends Frame> T expect(Class<T> type, Predicate<T> match, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    for (long left = within.toNanos(); left > 0; left = deadline - System.nanoTime()) {
      Frame f = inbound.frames.poll(left, TimeUnit.NANOSECONDS);
      if (type.isInstance(f) && match.test(type.cast(f))) {
        return type.cast(f);
      }
    }
    throw new AssertionError("the victim sent no matching " + type.getSimpleName() + " within " + within);
  }

  /** Waits until the victim has closed the link; returns why, as this side saw it. */
  CloseReason closedByVictim(Duration within) throws Exception {
    CloseReason reason = stream.closeFuture().get(within.toMillis(), TimeUnit.MILLISECONDS);
    if (reason.origin() == CloseReason.Origin.LOCAL) {
      throw new AssertionError("the attacker closed its own link: " + reason);
    }
    return reason;
  }

  /** Payload bytes of all the Data frames the victim sent on this link. */
  long dataReceived() {
    return inbound.dataBytes.get();
  }

  /** From now on the victim's Pings go unanswered, as from a peer that vanished. */
  void stopAnsweringPings() {
    inbound.answeringPings = false;
  }

  boolean open() {
    return !stream.closeFuture().isDone();
  }

  @Override
  public void close() {
    linker.close();
  }
}
