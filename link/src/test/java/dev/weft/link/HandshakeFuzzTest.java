package dev.weft.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.southernstorm.noise.protocol.DHState;
import com.southernstorm.noise.protocol.HandshakeState;
import dev.weft.identity.NodeKey;
import dev.weft.link.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Bytes from an unauthenticated peer into the responder side of the link handshake, on an
 * EmbeddedChannel carrying the same pipeline as an accepted connection. Two targets:
 * {@link #rawBytes} feeds anything at all; {@link #noiseDialer} plays a real Noise initiator whose
 * message payloads and later transport messages are fuzzed, so the fuzzer reaches the identity
 * proof check and the secure channel's message parser.
 *
 * <p>Either way the responder must report at most one failure and then be closed, never throw,
 * never deliver a stream to an unproven peer, and release every buffer.
 */
@Timeout(30)
class HandshakeFuzzTest {
  private static final NodeKey LISTENER = NodeKey.fromSeed(new byte[32]);
  private static final NodeKey DIALER = NodeKey.fromSeed(filled(32, (byte) 7));
  private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 40000);

  @FuzzTest(maxDuration = "5m")
  void rawBytes(FuzzedDataProvider data) {
    Responder responder = new Responder(data.consumeBoolean());
    int chunk = data.consumeInt(1, 300);
    byte[] input = data.consumeRemainingAsBytes();
    for (int at = 0; at < input.length && responder.channel.isOpen(); at += chunk) {
      responder.feed(Arrays.copyOfRange(input, at, Math.min(input.length, at + chunk)));
    }
    assertTrue(responder.streams.isEmpty(), "raw bytes produced a stream without a handshake");
    responder.finish();
  }

  @FuzzTest(maxDuration = "5m")
  void noiseDialer(FuzzedDataProvider data) throws GeneralSecurityException {
    boolean refuse = data.consumeBoolean();
    Responder responder = new Responder(refuse);
    HandshakeState noise = new HandshakeState(LinkProtocol.NOISE_PROTOCOL, HandshakeState.INITIATOR);
    DHState local = noise.getLocalKeyPair();
    local.generateKeyPair();
    noise.setPrologue(LinkProtocol.HELLO, 0, LinkProtocol.HELLO_LENGTH);
    noise.start();
    byte[] hello = data.consumeBoolean() ? LinkProtocol.HELLO : data.consumeBytes(LinkProtocol.HELLO_LENGTH);
    byte[] payload1 = data.consumeBoolean() ? new byte[0] : data.consumeBytes(64);
    responder.feed(concat(hello, noiseFrame(noise, payload1)));

    byte[] reply = responder.outbound();
    if (!responder.channel.isOpen() || reply.length < LinkProtocol.HELLO_LENGTH + 2) {
      responder.finish();
      return;
    }
    byte[] message2 = Arrays.copyOfRange(reply, LinkProtocol.HELLO_LENGTH + 2, reply.length);
    noise.readMessage(message2, 0, message2.length, new byte[message2.length], 0);
    byte[] staticKey = new byte[local.getPublicKeyLength()];
    local.getPublicKey(staticKey, 0);
    boolean proven = data.consumeBoolean();
    byte[] payload = proven ? HandshakePayload.proof(DIALER, staticKey) : data.consumeBytes(600);
    responder.feed(noiseFrame(noise, payload));
    boolean genuine = proven && payload1.length == 0 && Arrays.equals(hello, LinkProtocol.HELLO);
    assertEquals(genuine && !refuse ? 1 : 0, responder.streams.size(),
        "a stream must be delivered exactly when the dialer is genuine and allowed");
    assertEquals(genuine && !refuse ? 0 : 1, responder.failures.size(),
        "a refused or failed handshake is reported once");

    NoiseKeys keys = NoiseKeys.split(noise);
    TransportCipher sender = TransportCipher.encrypting(keys.initiatorToResponder());
    while (data.remainingBytes() > 0 && responder.channel.isOpen()) {
      byte type = (byte) data.consumeInt(0, 5);
      byte[] body = data.consumeBytes(data.consumeInt(0, 2000));
      responder.feed(sealed(sender, type, body));
      if (type == LinkProtocol.REKEY && body.length == 0) {
        sender.rekey(); // as a genuine dialer would, so that what follows is still readable
      }
    }
    responder.channel.advanceTimeBy(SecureChannel.CLOSE_LINGER_MILLIS, TimeUnit.MILLISECONDS);
    responder.channel.runScheduledPendingTasks();
    responder.streams.forEach(s -> assertEquals(DIALER.identity(), s.remote()));
    responder.finish();
  }

  /** The listener side of one connection, with what it reported. */
  private static final class Responder {
    final TrackingAllocator alloc = new TrackingAllocator();
    final List<HandshakeException> failures = new ArrayList<>();
    final List<Stream> streams = new ArrayList<>();
    final EmbeddedChannel channel = new EmbeddedChannel() {
      @Override
      protected SocketAddress remoteAddress0() {
        return PEER;
      }
    };

    Responder(boolean refuseEveryone) {
      AccessPolicy policy = refuseEveryone ? (id, address) -> Optional.of("fuzz policy") : AccessPolicy.OPEN;
      LinkConfig config = LinkConfig.create(LISTENER, Duration.ofSeconds(10), Duration.ofSeconds(30),
          Rekeying.DEFAULT, policy, streams::add, failures::add);
      channel.config().setAllocator(alloc);
      Linker.handshakePipeline(channel.pipeline(), Handshake.listener(config, Transport.TCP, () -> { }));
    }

    void feed(byte[] bytes) {
      if (channel.isOpen()) {
        channel.writeInbound(alloc.buffer(bytes.length).writeBytes(bytes));
      }
    }

    /** Everything the responder has written so far. */
    byte[] outbound() {
      ByteBuf all = alloc.buffer();
      for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
        all.writeBytes(b);
        b.release();
      }
      byte[] bytes = new byte[all.readableBytes()];
      all.readBytes(bytes).release();
      return bytes;
    }

    void finish() {
      assertTrue(failures.size() <= 1, () -> "failure reported more than once: " + failures);
      if (!failures.isEmpty()) {
        assertFalse(channel.isOpen(), "a failed handshake left the connection open");
      }
      channel.finishAndReleaseAll();
      alloc.assertAllReleased();
    }
  }

  private static byte[] noiseFrame(HandshakeState noise, byte[] payload) throws GeneralSecurityException {
    byte[] message = new byte[LinkProtocol.MAX_MESSAGE];
    int length = noise.writeMessage(message, 0, payload, 0, payload.length);
    return concat(new byte[] {(byte) (length >> 8), (byte) length}, Arrays.copyOf(message, length));
  }

  private static byte[] sealed(TransportCipher sender, byte type, byte[] body) {
    int plain = 1 + body.length;
    byte[] out = new byte[2 + plain + LinkProtocol.TAG_LENGTH];
    out[0] = (byte) ((plain + LinkProtocol.TAG_LENGTH) >> 8);
    out[1] = (byte) (plain + LinkProtocol.TAG_LENGTH);
    out[2] = type;
    System.arraycopy(body, 0, out, 3, body.length);
    sender.encrypt(out, 2, plain);
    return out;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] filled(int length, byte value) {
    byte[] out = new byte[length];
    Arrays.fill(out, value);
    return out;
  }
}
