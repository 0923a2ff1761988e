package dev.weft.link;

import com.southernstorm.noise.protocol.HandshakeState;
import dev.weft.identity.Identity;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.crypto.BadPaddingException;

/**
 * Runs the Noise XX handshake on a fresh connection, then replaces itself with a
 * {@link SecureChannel}.
 *
 * <pre>
 * dialer                                   listener
 * hello, len || msg1 (-> e)           -->
 *                                     <--  hello (once the dialer's arrived)
 *                                     <--  len || msg2 (<- e, ee, s, es; proof)
 * len || msg3 (-> s, se; proof)       -->
 *                                     <--  ACCEPT or CLOSE(reason)  (first transport message)
 * </pre>
 *
 * The dialer refuses in msg3 (a refusal payload instead of its proof) if the listener is not
 * who it expected, so both sides learn why before any application data.
 */
final class Handshake extends ChannelInboundHandlerAdapter {
  private final LinkConfig config;
  private final Transport transport;
  /** Dialer only: who it means to reach, and the future the dial returns. */
  private final Identity expected;
  private final CompletableFuture<Stream> dialed;
  private final Runnable onSettled;
  /** Conformance vectors only: the ephemeral private key to use instead of a random one. */
  private byte[] fixedEphemeral;
  private HandshakeState noise;
  private ScheduledFuture<?> timer;
  private boolean settled;

  private Handshake(LinkConfig config, Transport transport, Identity expected, CompletableFuture<Stream> dialed,
      Runnable onSettled) {
    this.config = config;
    this.transport = transport;
    this.expected = expected;
    this.dialed = dialed;
    this.onSettled = onSettled;
  }

  static Handshake dialer(LinkConfig config, Transport transport, Identity expected, CompletableFuture<Stream> dialed) {
    return new Handshake(config, transport, expected, dialed, () -> { });
  }

  static Handshake listener(LinkConfig config, Transport transport, Runnable onSettled) {
    return new Handshake(config, transport, null, null, onSettled);
  }

  /** Makes this handshake's ephemeral key the one derived from {@code privateKey}: for test vectors. */
  Handshake fixedEphemeral(byte[] privateKey) {
    fixedEphemeral = privateKey.clone();
    return this;
  }

  boolean initiator() {
    return dialed != null;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws NoSuchAlgorithmException {
    noise = new HandshakeState(LinkProtocol.NOISE_PROTOCOL, initiator() ? HandshakeState.INITIATOR : HandshakeState.RESPONDER);
    X25519Key.install(noise);
    noise.getLocalKeyPair().copyFrom(config.noiseStatic());
    noise.setPrologue(LinkProtocol.HELLO, 0, LinkProtocol.HELLO_LENGTH);
    if (fixedEphemeral != null) {
      noise.getFixedEphemeralKey().setPrivateKey(fixedEphemeral, 0);
    }
    noise.start();
    long millis = config.handshakeTimeout().toMillis();
    timer = ctx.executor().schedule(() -> timeOut(ctx, millis), millis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws GeneralSecurityException {
    if (initiator()) {
      ctx.write(Unpooled.wrappedBuffer(LinkProtocol.HELLO));
      writeNoise(ctx, new byte[0]);
      ctx.flush();
    }
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    byte[] message;
    ByteBuf frame = (ByteBuf) msg;
    try {
      message = ByteBufUtil.getBytes(frame);
    } finally {
      frame.release();
    }
    if (settled) {
      return;
    }
    try {
      step(ctx, message);
    } catch (HandshakeException e) {
      fail(ctx, e);
    } catch (BadPaddingException e) {
      fail(ctx, new HandshakeException(ctx.channel().remoteAddress(), "handshake message failed authentication"));
    } catch (GeneralSecurityException | IllegalArgumentException | IllegalStateException e) {
      fail(ctx, new HandshakeException(ctx.channel().remoteAddress(), "malformed handshake message: " + e.getMessage()));
    }
  }

  private void step(ChannelHandlerContext ctx, byte[] message) throws GeneralSecurityException, HandshakeException {
    if (noise.getAction() != HandshakeState.READ_MESSAGE) {
      throw new HandshakeException(ctx.channel().remoteAddress(), "unexpected handshake message");
    }
    byte[] payload = new byte[message.length];
    int payloadLength = noise.readMessage(message, 0, message.length, payload, 0);
    if (!initiator() && noise.getAction() == HandshakeState.WRITE_MESSAGE) {
      // msg1: nothing to check but that it carries no payload; answer with our proof.
      if (payloadLength != 0) {
        throw new HandshakeException(ctx.channel().remoteAddress(), "unexpected payload in handshake message 1");
      }
      writeNoise(ctx, config.proof());
      ctx.flush();
      return;
    }
    HandshakePayload received = HandshakePayload.decode(payload, payloadLength);
    if (received.isRefusal()) {
      throw new RefusedException(ctx.channel().remoteAddress(), received.refusal());
    }
    byte[] remoteStatic = new byte[noise.getRemotePublicKey().getPublicKeyLength()];
    noise.getRemotePublicKey().getPublicKey(remoteStatic, 0);
    if (!config.verifiedProofs().proves(received, remoteStatic)) {
      throw new HandshakeException(ctx.channel().remoteAddress(),
          "the peer's identity signature does not match its Noise static key");
    }
    Identity remote = received.identity();
    if (initiator()) {
      if (!remote.equals(expected)) {
        IdentityMismatchException mismatch = new IdentityMismatchException(ctx.channel().remoteAddress(), expected, remote);
        ChannelFuture sent = writeNoise(ctx,
            HandshakePayload.refusal("identity mismatch: the dialer expected " + expected + ", not " + remote));
        ctx.flush();
        settle(ctx, mismatch, sent);
        return;
      }
      writeNoise(ctx, config.proof());
      ctx.flush();
    }
    finish(ctx, remote);
  }

  private void finish(ChannelHandlerContext ctx, Identity remote) {
    settled = true;
    if (initiator()) {
      // The dial is not done until the listener's ACCEPT: the handshake timeout still covers that.
      dialed.whenComplete((stream, e) -> timer.cancel(false));
    } else {
      timer.cancel(false);
    }
    StreamId id = new StreamId(ByteBuffer.wrap(noise.getHandshakeHash()).getLong());
    NoiseKeys keys = NoiseKeys.split(noise);
    noise.destroy();
    byte[] sendKey = initiator() ? keys.initiatorToResponder() : keys.responderToInitiator();
    byte[] receiveKey = initiator() ? keys.responderToInitiator() : keys.initiatorToResponder();
    HandshakeResult result = new HandshakeResult(id, remote, transport,
        TransportCipher.encrypting(sendKey), TransportCipher.decrypting(receiveKey));
    keys.destroy();
    onSettled.run();

    ctx.pipeline().get(MessageDecoder.class).limits(LinkProtocol.TAG_LENGTH + 1, LinkProtocol.MAX_MESSAGE);
    long keepalive = config.keepaliveInterval().toMillis();
    ctx.pipeline().addFirst("idle", new IdleStateHandler(config.idleTimeout().toMillis(), keepalive, 0, TimeUnit.MILLISECONDS));
    SecureChannel secure = new SecureChannel(result, ctx.channel(), config, dialed);
    ctx.pipeline().replace(this, "secure", secure);
    if (!initiator()) {
      Optional<String> refusal = config.accessPolicy().refusal(remote, PipeAddresses.remoteOf(ctx.channel()));
      if (refusal.isPresent()) {
        config.onInboundFailure().accept(new HandshakeException(ctx.channel().remoteAddress(),
            "refused " + remote + ": " + refusal.get(), HandshakeOutcome.REFUSED_HERE));
        secure.refuse(refusal.get());
      } else {
        secure.accept();
      }
    }
  }

  private ChannelFuture writeNoise(ChannelHandlerContext ctx, byte[] payload) throws GeneralSecurityException {
    byte[] message = new byte[LinkProtocol.MAX_HANDSHAKE_MESSAGE];
    int length = noise.writeMessage(message, 0, payload, 0, payload.length);
    ByteBuf frame = ctx.alloc().buffer(2 + length);
    frame.writeShort(length).writeBytes(message, 0, length);
    return ctx.write(frame);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    fail(ctx, new HandshakeException(ctx.channel().remoteAddress(), "connection closed during the handshake"));
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    String message = cause instanceof DecoderException ? cause.getMessage() : "transport error: " + cause;
    fail(ctx, new HandshakeException(ctx.channel().remoteAddress(), message));
  }

  private void timeOut(ChannelHandlerContext ctx, long millis) {
    HandshakeException e = new HandshakeException(ctx.channel().remoteAddress(), "handshake timed out after " + millis + " ms");
    if (!settled) {
      fail(ctx, e);
    } else if (initiator() && dialed.completeExceptionally(e)) {
      ctx.channel().close();
    }
  }

  private void fail(ChannelHandlerContext ctx, HandshakeException e) {
    settle(ctx, e, null);
  }

  /** Reports the failure once and closes, after {@code lastWrite} if there is one. */
  private void settle(ChannelHandlerContext ctx, HandshakeException e, ChannelFuture lastWrite) {
    if (settled) {
      return;
    }
    settled = true;
    timer.cancel(false);
    noise.destroy();
    onSettled.run();
    if (initiator()) {
      dialed.completeExceptionally(e);
    } else {
      config.onInboundFailure().accept(e);
    }
    if (lastWrite == null) {
      ctx.close();
    } else {
      lastWrite.addListener(f -> ctx.close());
    }
  }
}
