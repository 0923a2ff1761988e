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
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * An authenticated attacker: a genuine link to the victim (its own fresh identity, a real Noise
 * handshake) over which it writes whatever it likes, as mux frames, as raw plaintext, or as raw
 * bytes under the encryption. It answers the victim's Pings and records every other frame.
 */
final class RawLink implements AutoCloseable {
  static final int MAX_PAYLOAD = 64 * 1024;

  final Stream stream;
  private final Linker linker;
  private final BlockingQueue<Frame> received;
  private final boolean highSide;
  private final SplittableRandom random = new SplittableRandom();

  private RawLink(Linker linker, Stream stream, BlockingQueue<Frame> received, boolean highSide) {
    this.linker = linker;
    this.stream = stream;
    this.received = received;
    this.highSide = highSide;
  }

  /** Links to the victim; with {@code reading} false the attacker never reads what it is sent. */
  static RawLink dial(Victim victim, Transport transport, boolean reading) throws Exception {
    NodeKey key = NodeKey.generate();
    BlockingQueue<Frame> received = new LinkedBlockingQueue<>();
    EventLoopGroup[] loops = victim.attackerLoops();
    Linker linker = Linker.builder(key).eventLoops(loops[0], loops[1]).onStream(s -> {
      s.channel().config().setAutoRead(reading);
      s.channel().pipeline().addLast(new FrameDecoder(MAX_PAYLOAD), FrameEncoder.INSTANCE,
          new ReceivedFrames(received));
    }).build();
    try {
      Stream stream = linker.dial(victim.endpoint(transport), victim.node.identity())
          .get(20, TimeUnit.SECONDS);
      return new RawLink(linker, stream, received, key.identity().compareTo(victim.node.identity()) > 0);
    } catch (Exception e) {
      linker.close();
      throw e;
    }
  }

  static RawLink dial(Victim victim, Transport transport) throws Exception {
    return dial(victim, transport, true);
  }

  /** Links and says Hello, as a well-behaved mux would first. */
  static RawLink greeted(Victim victim, Transport transport) throws Exception {
    RawLink link = dial(victim, transport);
    link.send(new Frame.Hello(1, MAX_PAYLOAD));
    return link;
  }

  private static final class ReceivedFrames extends SimpleChannelInboundHandler<Frame> {
    private final BlockingQueue<Frame> received;

    ReceivedFrames(BlockingQueue<Frame> received) {
      this.received = received;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
      if (frame instanceof Frame.Ping ping) {
        ctx.writeAndFlush(new Frame.Pong(ping.id()));
      } else if (!(frame instanceof Frame.Data)) {
        received.add(frame);
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
      Frame f = received.poll(left, TimeUnit.NANOSECONDS);
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

  boolean open() {
    return !stream.closeFuture().isDone();
  }

  @Override
  public void close() {
    linker.close();
  }
}
