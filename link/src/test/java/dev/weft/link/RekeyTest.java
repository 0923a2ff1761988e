package dev.weft.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Rekeying over real loopback links: many epochs without a lost byte, and nothing crosses an epoch
 * boundary. Last, the marker's own rules, on a recorded link with known keys.
 */
@Timeout(60)
class RekeyTest {
  /** A few KiB: with messages of up to 64 KiB, nearly every message is followed by a REKEY. */
  private static final long THRESHOLD = 4096;
  private static final int MIB = 1 << 20;

  private final List<Peer> peers = new ArrayList<>();

  @AfterEach
  void close() {
    peers.forEach(Peer::close);
  }

  private Peer peer(java.util.function.UnaryOperator<Linker.Builder> tweak) {
    Peer peer = new Peer(tweak);
    peers.add(peer);
    return peer;
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"TCP", "KCP"})
  void manyEpochsBothWaysAtOnceLoseNothing(Transport transport) throws Exception {
    Peer server = peer(b -> b.rekeyAfter(THRESHOLD, Duration.ofMinutes(2)));
    Peer client = peer(b -> b.rekeyAfter(THRESHOLD, Duration.ofMinutes(2)));
    LinkTest.LinkedPair link = LinkTest.connect(client, server, transport);
    int total = (transport == Transport.TCP ? 16 : 8) * MIB;
    byte[] up = random(total, 1);
    byte[] down = random(total, 2);
    Random sizes = new Random(3);
    for (int at = 0; at < total; ) {
      // Writes of any size, so messages of every length straddle the rekeys.
      int size = Math.min(total - at, 1 + sizes.nextInt(100_000));
      link.dialled().channel().writeAndFlush(Unpooled.wrappedBuffer(up, at, size));
      link.accepted().channel().writeAndFlush(Unpooled.wrappedBuffer(down, at, size));
      at += size;
    }
    byte[] atServer = Peer.received(link.accepted()).first(total).get(40, TimeUnit.SECONDS);
    byte[] atClient = Peer.received(link.dialled()).first(total).get(40, TimeUnit.SECONDS);
    assertArrayEquals(sha256(up), sha256(atServer), "dialer to listener");
    assertArrayEquals(sha256(down), sha256(atClient), "listener to dialer");
    long[] dialer = epochs(link.dialled());
    long[] listener = epochs(link.accepted());
    // An epoch carries at most the threshold and then one more message.
    long expected = total / (THRESHOLD + LinkProtocol.MAX_MESSAGE);
    assertTrue(dialer[0] >= expected && listener[0] >= expected,
        "rekeys: " + dialer[0] + " and " + listener[0] + ", expected at least " + expected);
    assertEquals(dialer[0], listener[1], "the listener followed every REKEY of the dialer");
    assertEquals(listener[0], dialer[1], "the dialer followed every REKEY of the listener");
    assertEquals(new RekeyStats(dialer[0], dialer[1]), client.linker.rekeyStats(), "the dialer's Linker counts them");
    assertEquals(new RekeyStats(listener[0], listener[1]), server.linker.rekeyStats(), "the listener's Linker counts them");
  }

  @Test
  void thresholdsBeyondWhatThePeerAcceptsAreRefused() {
    Linker.Builder builder = Linker.builder(dev.weft.identity.NodeKey.generate());
    assertThrows(IllegalArgumentException.class, () -> builder.rekeyAfter((1L << 31) + 1, Duration.ofMinutes(2)),
        "a peer closes the link past 2^32 bytes under one key");
    assertThrows(IllegalArgumentException.class, () -> builder.rekeyAfter(0, Duration.ofMinutes(2)));
    assertThrows(IllegalArgumentException.class, () -> builder.rekeyAfter(4096, Duration.ZERO));
    builder.rekeyAfter(1L << 31, Duration.ofHours(1));
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"TCP", "KCP"})
  void anIdleLinkRekeysByTime(Transport transport) throws Exception {
    // Keepalives every 300 ms are the messages that carry the REKEYs on an idle link.
    Peer server = peer(b -> b.idleTimeout(Duration.ofMillis(900)).rekeyAfter(1L << 30, Duration.ofMillis(100)));
    Peer client = peer(b -> b.idleTimeout(Duration.ofMillis(900)).rekeyAfter(1L << 30, Duration.ofMillis(100)));
    LinkTest.LinkedPair link = LinkTest.connect(client, server, transport);
    // Three rekeys each way take three keepalives, 900 ms: as long as the idle timeout.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Peer.WAIT_SECONDS);
    while (Math.min(epochs(link.dialled())[0], epochs(link.accepted())[0]) < 3) {
      assertTrue(System.nanoTime() < deadline, "fewer than 3 rekeys each way within " + Peer.WAIT_SECONDS + " s");
      Thread.sleep(50); // polls the condition; the deadline bounds it
    }
    assertTrue(link.dialled().channel().isActive() && link.accepted().channel().isActive());
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"TCP", "KCP"})
  void aPeerThatNeverRekeysIsClosedPastTheLimit(Transport transport) throws Exception {
    Peer strict = peer(b -> b.rekeyReceiveLimit(100_000));
    Peer client = peer(b -> b);
    LinkTest.LinkedPair link = LinkTest.connect(client, strict, transport);
    link.dialled().channel().writeAndFlush(Unpooled.wrappedBuffer(new byte[200_000]));
    CloseReason atStrict = link.accepted().closeFuture().get(Peer.WAIT_SECONDS, TimeUnit.SECONDS);
    assertEquals(new CloseReason(CloseReason.Origin.PROTOCOL, "more than 100000 bytes under one key without REKEY"),
        atStrict);
    assertEquals(new CloseReason(CloseReason.Origin.REMOTE, "protocol error"),
        link.dialled().closeFuture().get(Peer.WAIT_SECONDS, TimeUnit.SECONDS));
  }

  @ParameterizedTest
  @EnumSource(Shuffle.class)
  void aReplayedOrReorderedMessageAcrossTheBoundaryClosesTheLinkOnTcp(Shuffle shuffle) throws Exception {
    shuffledAcrossTheBoundaryCloses(Transport.TCP, shuffle);
  }

  @ParameterizedTest
  @EnumSource(Shuffle.class)
  void aReplayedOrReorderedMessageAcrossTheBoundaryClosesTheLinkOnKcp(Shuffle shuffle) throws Exception {
    shuffledAcrossTheBoundaryCloses(Transport.KCP, shuffle);
  }

  /**
   * The dialer sends DATA "a", REKEY, DATA "b"; on their way to the socket the three frames are
   * replayed, reordered or dropped. The listener takes "a" and then closes: "b" never arrives.
   */
  private void shuffledAcrossTheBoundaryCloses(Transport transport, Shuffle shuffle) throws Exception {
    LinkTest.LinkedPair link = LinkTest.connect(peer(b -> b), peer(b -> b), transport);
    Stream dialled = link.dialled();
    Received sink = Peer.received(link.accepted());
    dialled.channel().pipeline().addFirst("shuffle", new Shuffler(shuffle));
    dialled.channel().eventLoop().submit(() -> {
      dialled.channel().writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'a'}));
      dialled.channel().pipeline().get(SecureChannel.class).rekey();
      dialled.channel().writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'b'}));
    }).get(Peer.WAIT_SECONDS, TimeUnit.SECONDS);
    CloseReason reason = link.accepted().closeFuture().get(Peer.WAIT_SECONDS, TimeUnit.SECONDS);
    assertEquals(new CloseReason(CloseReason.Origin.DECRYPTION, shuffle.failure), reason);
    assertEquals(new CloseReason(CloseReason.Origin.REMOTE, "decryption failed"),
        dialled.closeFuture().get(Peer.WAIT_SECONDS, TimeUnit.SECONDS));
    assertArrayEquals(new byte[] {'a'}, sink.first(0).get(), "only what came before");
  }

  @ParameterizedTest
  @EnumSource(Misplaced.class)
  void aMisplacedRekeyIsAProtocolError(Misplaced misplaced) throws Exception {
    try (RecordedLink link = RecordedLink.link(keys(1), keys(2), s -> { })) {
      TransportCipher dialer = TransportCipher.encrypting(link.transcript().k1());
      EmbeddedChannel listener = (EmbeddedChannel) link.listener().channel();
      for (byte[] plain : misplaced.messages) {
        byte[] frame = new byte[2 + plain.length + LinkProtocol.TAG_LENGTH];
        frame[1] = (byte) (plain.length + LinkProtocol.TAG_LENGTH);
        System.arraycopy(plain, 0, frame, 2, plain.length);
        dialer.encrypt(frame, 2, plain.length);
        listener.writeInbound(Unpooled.wrappedBuffer(frame));
      }
      link.exchange();
      assertEquals(new CloseReason(CloseReason.Origin.PROTOCOL, misplaced.error),
          link.listener().closeFuture().getNow(null));
    }
  }

  /** Messages the dialer sends (type || body), and what the listener reports. */
  enum Misplaced {
    FIRST("REKEY as the first transport message", new byte[] {LinkProtocol.REKEY}),
    WITH_A_BODY("REKEY with a body", new byte[] {LinkProtocol.KEEPALIVE}, new byte[] {LinkProtocol.REKEY, 0});

    final String error;
    final byte[][] messages;

    Misplaced(String error, byte[]... messages) {
      this.error = error;
      this.messages = messages;
    }
  }

  /** What happens to the frames DATA "a" (0), REKEY (1) and DATA "b" (2), and what the listener reports. */
  enum Shuffle {
    REPLAY_THE_OLD_EPOCHS_MESSAGE("transport message 2 (key epoch 1) failed authentication", 0, 1, 0, 2),
    NEW_EPOCH_BEFORE_THE_REKEY("transport message 1 (key epoch 0) failed authentication", 0, 2, 1),
    REPLAY_THE_REKEY("transport message 2 (key epoch 1) failed authentication", 0, 1, 1, 2),
    DROP_THE_REKEY("transport message 1 (key epoch 0) failed authentication", 0, 2);

    final String failure;
    final int[] order;

    Shuffle(String failure, int... order) {
      this.failure = failure;
      this.order = order;
    }
  }

  /** At the transport end of the pipeline: holds the next three frames, then writes them in the shuffled order. */
  private static final class Shuffler extends ChannelOutboundHandlerAdapter {
    private final Shuffle shuffle;
    private final List<ByteBuf> held = new ArrayList<>();

    Shuffler(Shuffle shuffle) {
      this.shuffle = shuffle;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (held.size() == 3) {
        ctx.write(msg, promise);
        return;
      }
      held.add((ByteBuf) msg);
      promise.setSuccess();
      if (held.size() == 3) {
        for (int i : shuffle.order) {
          ctx.write(held.get(i).retainedDuplicate());
        }
        held.forEach(ByteBuf::release);
        ctx.flush();
      }
    }
  }

  private static long[] epochs(Stream stream) throws Exception {
    return stream.channel().eventLoop()
        .submit(() -> stream.channel().pipeline().get(SecureChannel.class).epochs())
        .get(Peer.WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private static RecordedLink.Keys keys(long seed) {
    return new RecordedLink.Keys(random(32, seed), random(32, seed + 100), random(32, seed + 200));
  }

  private static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static byte[] sha256(byte[] bytes) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(bytes);
  }
}
