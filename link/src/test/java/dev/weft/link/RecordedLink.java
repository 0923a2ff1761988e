package dev.weft.link;

import com.southernstorm.noise.protocol.CipherState;
import com.southernstorm.noise.protocol.CipherStatePair;
import com.southernstorm.noise.protocol.HandshakeState;
import dev.weft.identity.Identity;
import dev.weft.identity.NodeKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A dialer and a listener joined back to back on EmbeddedChannels, running the real link handlers
 * with fixed keys, so that every byte they exchange is reproducible: the conformance vectors
 * (docs/conformance/exchange.txt) are such a recording. {@link #transcript} checks the recording
 * against plain noise-java (its own Curve25519, split and AES-GCM, none of weft's), which also
 * yields the transport keys and each message's plaintext. Public for the integration tests,
 * which put the mux on top.
 */
public final class RecordedLink implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  /** hello and msg1 from the dialer, hello and msg2 from the listener, msg3: then transport messages. */
  private static final String[] HANDSHAKE = {"hello", "msg1", "hello", "msg2", "msg3"};

  /** One side's secrets: its Ed25519 seed and its X25519 Noise static and ephemeral private keys. */
  public record Keys(byte[] identitySeed, byte[] noiseStatic, byte[] noiseEphemeral) {
    public Identity identity() {
      return NodeKey.fromSeed(identitySeed).identity();
    }

    public byte[] noiseStaticPublic() {
      return publicKey(noiseStatic);
    }

    public byte[] noiseEphemeralPublic() {
      return publicKey(noiseEphemeral);
    }

    private X25519Key staticKey() {
      X25519Key key = new X25519Key();
      key.setPrivateKey(noiseStatic, 0);
      return key;
    }

    private static byte[] publicKey(byte[] privateKey) {
      X25519Key key = new X25519Key();
      key.setPrivateKey(privateKey, 0);
      byte[] out = new byte[X25519Key.LENGTH];
      key.getPublicKey(out, 0);
      return out;
    }
  }

  /**
   * One message as sent: {@code kind} is hello, msg1, msg2, msg3 or transport; {@code wire} its
   * bytes with the length prefix; {@code plaintext} the handshake payload (msg2, msg3) or the
   * transport message's type and body, empty for the others; {@code nextKey} the key its sender
   * uses from the next message on, after a REKEY, else empty.
   */
  public record Message(boolean fromDialer, String kind, byte[] wire, byte[] plaintext, byte[] nextKey) {
    Message(boolean fromDialer, String kind, byte[] wire, byte[] plaintext) {
      this(fromDialer, kind, wire, plaintext, new byte[0]);
    }
  }

  /** The recording, with the handshake hash and the transport keys (k1 dialer to listener). */
  public record Transcript(List<Message> messages, byte[] handshakeHash, byte[] k1, byte[] k2) {}

  private final Keys dialerKeys;
  private final EmbeddedChannel dialer = channel();
  private final EmbeddedChannel listener = channel();
  private final CompletableFuture<Stream> dialed = new CompletableFuture<>();
  private final CompletableFuture<Stream> accepted = new CompletableFuture<>();
  private final List<byte[]> wire = new ArrayList<>();
  private final List<Boolean> fromDialer = new ArrayList<>();

  private RecordedLink(Keys dialerKeys) {
    this.dialerKeys = dialerKeys;
  }

  /**
   * Runs hello, handshake and ACCEPT; {@code onStream} sees each side's stream as a Linker's
   * callback would (the listener's first, right after it writes ACCEPT).
   */
  public static RecordedLink link(Keys dialerKeys, Keys listenerKeys, Consumer<Stream> onStream) throws Exception {
    RecordedLink link = new RecordedLink(dialerKeys);
    LinkConfig dialerConfig = config(dialerKeys, onStream, e -> { });
    LinkConfig listenerConfig = config(listenerKeys, stream -> {
      link.accepted.complete(stream);
      onStream.accept(stream);
    }, link.accepted::completeExceptionally);
    Linker.handshakePipeline(link.listener.pipeline(),
        Handshake.listener(listenerConfig, Transport.TCP, () -> { }).fixedEphemeral(listenerKeys.noiseEphemeral()));
    link.listener.register();
    Linker.handshakePipeline(link.dialer.pipeline(), Handshake.dialer(dialerConfig, Transport.TCP,
        listenerKeys.identity(), link.dialed).fixedEphemeral(dialerKeys.noiseEphemeral()));
    link.dialer.register();
    link.exchange();
    link.dialed.get(TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    return link;
  }

  private static LinkConfig config(Keys keys, Consumer<Stream> onStream, Consumer<HandshakeException> failed) {
    return LinkConfig.create(NodeKey.fromSeed(keys.identitySeed()), keys.staticKey(), TIMEOUT,
        Duration.ofSeconds(30), Rekeying.DEFAULT, AccessPolicy.OPEN, onStream, failed);
  }

  public Stream dialer() {
    return dialed.join();
  }

  public Stream listener() {
    return accepted.join();
  }

  /** {@code stream}'s side sends REKEY now and moves to its next sending key; then {@link #exchange}. */
  public void rekey(Stream stream) {
    stream.channel().pipeline().get(SecureChannel.class).rekey();
    stream.channel().flush();
    exchange();
  }

  /** Runs both sides' pending tasks and carries what each wrote to the other until both are quiet. */
  public void exchange() {
    while (carry(dialer, listener, true) | carry(listener, dialer, false)) {
      // until nothing moves
    }
  }

  private boolean carry(EmbeddedChannel from, EmbeddedChannel to, boolean dialerSent) {
    from.runPendingTasks();
    boolean moved = false;
    for (ByteBuf out; (out = from.readOutbound()) != null; moved = true) {
      byte[] bytes = ByteBufUtil.getBytes(out);
      out.release();
      wire.add(bytes);
      fromDialer.add(dialerSent);
      if (to.isOpen()) {
        to.writeInbound(Unpooled.wrappedBuffer(bytes));
      }
    }
    return moved;
  }

  /** Everything sent so far, checked and decrypted by noise-java from the dialer's keys alone. */
  public Transcript transcript() throws GeneralSecurityException {
    HandshakeState noise = new HandshakeState(LinkProtocol.NOISE_PROTOCOL, HandshakeState.INITIATOR);
    noise.getLocalKeyPair().setPrivateKey(dialerKeys.noiseStatic(), 0);
    noise.getFixedEphemeralKey().setPrivateKey(dialerKeys.noiseEphemeral(), 0);
    noise.setPrologue(LinkProtocol.HELLO, 0, LinkProtocol.HELLO_LENGTH);
    noise.start();
    List<Message> messages = new ArrayList<>();
    for (int i = 0; i < HANDSHAKE.length; i++) {
      messages.add(new Message(fromDialer.get(i), HANDSHAKE[i], wire.get(i), new byte[0]));
    }
    expect(messages.get(0).wire(), LinkProtocol.HELLO, "the dialer's hello");
    expect(messages.get(2).wire(), LinkProtocol.HELLO, "the listener's hello");
    expect(body(messages.get(1)), handshakeMessage(noise, new byte[0]), "msg1");
    byte[] listenerProof = readHandshake(noise, body(messages.get(3)));
    byte[] dialerProof = HandshakePayload.proof(NodeKey.fromSeed(dialerKeys.identitySeed()),
        dialerKeys.noiseStaticPublic());
    expect(body(messages.get(4)), handshakeMessage(noise, dialerProof), "msg3");
    messages.set(3, new Message(false, "msg2", wire.get(3), listenerProof));
    messages.set(4, new Message(true, "msg3", wire.get(4), dialerProof));
    NoiseKeys keys = NoiseKeys.split(noise);
    byte[] hash = noise.getHandshakeHash();
    CipherStatePair pair = noise.split();
    byte[][] key = {keys.responderToInitiator(), keys.initiatorToResponder()}; // by sentByDialer
    long[] sent = new long[2];
    for (int i = HANDSHAKE.length; i < wire.size(); i++) {
      boolean sentByDialer = fromDialer.get(i);
      int side = sentByDialer ? 1 : 0;
      CipherState cipher = sentByDialer ? pair.getSender() : pair.getReceiver();
      byte[] ciphertext = Arrays.copyOfRange(wire.get(i), 2, wire.get(i).length);
      byte[] plain = new byte[ciphertext.length];
      int length = cipher.decryptWithAd(null, ciphertext, 0, plain, 0, ciphertext.length);
      sent[side]++;
      byte[] nextKey = new byte[0];
      if (length == 1 && plain[0] == LinkProtocol.REKEY) {
        // noise-java has no Rekey() (and refuses nonce 2^64-1), so the JDK's AES-GCM computes it.
        nextKey = noiseRekey(key[side]);
        key[side] = nextKey;
        cipher.initializeKey(nextKey, 0);
        cipher.setNonce(sent[side]);
      }
      messages.add(new Message(sentByDialer, "transport", wire.get(i), Arrays.copyOf(plain, length), nextKey));
    }
    pair.destroy();
    return new Transcript(messages, hash, keys.initiatorToResponder(), keys.responderToInitiator());
  }

  /** Noise's Rekey() for AESGCM: the first 32 bytes of ENCRYPT(k, 2^64-1, empty, 32 zero bytes). */
  static byte[] noiseRekey(byte[] key) throws GeneralSecurityException {
    byte[] nonce = {0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1};
    Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
    aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
    return Arrays.copyOf(aes.doFinal(new byte[32]), 32);
  }

  private static byte[] body(Message m) {
    return Arrays.copyOfRange(m.wire(), 2, m.wire().length);
  }

  private static byte[] handshakeMessage(HandshakeState noise, byte[] payload) throws GeneralSecurityException {
    byte[] message = new byte[LinkProtocol.MAX_HANDSHAKE_MESSAGE];
    return Arrays.copyOf(message, noise.writeMessage(message, 0, payload, 0, payload.length));
  }

  private static byte[] readHandshake(HandshakeState noise, byte[] message) throws GeneralSecurityException {
    byte[] payload = new byte[message.length];
    return Arrays.copyOf(payload, noise.readMessage(message, 0, message.length, payload, 0));
  }

  private static void expect(byte[] actual, byte[] expected, String what) {
    if (!Arrays.equals(actual, expected)) {
      throw new AssertionError(what + " differs from noise-java's: " + ByteBufUtil.hexDump(actual)
          + " instead of " + ByteBufUtil.hexDump(expected));
    }
  }

  /** Time stands still on it: no timer (keepalive, timeout) can add a message to the recording. */
  private static EmbeddedChannel channel() {
    EmbeddedChannel channel = new EmbeddedChannel(false, false) {
      @Override
      protected SocketAddress remoteAddress0() {
        return new InetSocketAddress("127.0.0.1", 7411);
      }
    };
    channel.freezeTime();
    return channel;
  }

  @Override
  public void close() {
    dialer.finishAndReleaseAll();
    listener.finishAndReleaseAll();
  }
}
