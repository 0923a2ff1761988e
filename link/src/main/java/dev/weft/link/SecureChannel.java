package dev.weft.link;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.CoalescingBufferQueue;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.PortUnreachableException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.crypto.AEADBadTagException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The link after the handshake: encrypts outbound plaintext into Noise transport messages and
 * decrypts inbound ones, and runs the link's control messages (ACCEPT, CLOSE, KEEPALIVE, REKEY).
 *
 * <p>Outbound writes are queued until flush and then cut into DATA messages of at most 65518
 * bytes, so many small writes cost one message. Any failure to decrypt closes the link. A close
 * sends CLOSE with a reason; the side that closes first waits for the peer's CLOSE (or a short
 * linger) so the message is delivered even over KCP, which has no close of its own.
 *
 * <p>Each direction changes its key on its own: before a message, once the sending key is due
 * (bytes or time, {@link Rekeying}), REKEY goes out under the old key and the sender moves on to
 * the next; the receiver moves on right after decrypting that REKEY. The transport is ordered, so
 * both ends switch at the same message and data never waits.
 */
final class SecureChannel extends ChannelDuplexHandler {
  private static final Logger log = LoggerFactory.getLogger(SecureChannel.class);
  /** How long the closing side waits for the peer's CLOSE before closing the transport anyway. */
  static final long CLOSE_LINGER_MILLIS = 2000;
  /**
   * Over KCP the side that closed first waits this long after the peer's CLOSE so KCP can ACK it;
   * otherwise the peer retransmits it for seconds (and kcp-netty holds its buffers meanwhile).
   */
  static final long KCP_ACK_LINGER_MILLIS = 5L * KcpSettings.INTERVAL_MILLIS;

  private final TransportCipher sender;
  private final TransportCipher receiver;
  private final LinkConfig config;
  private final Stream stream;
  private final long rekeyAfterNanos;
  /** When the current sending key took over (System.nanoTime). */
  private long sendKeySince = System.nanoTime();
  /** Set on the dialer until the responder's ACCEPT (or CLOSE) arrives. */
  private final CompletableFuture<Stream> dialed;
  private ChannelHandlerContext ctx;
  private CoalescingBufferQueue pending;
  private boolean accepted;
  /** No more application data in or out. */
  private boolean closing;
  private boolean closeSent;
  /** The transport is being closed: inbound messages are dropped. */
  private boolean closed;
  private CloseReason reason;

  SecureChannel(HandshakeResult result, Channel channel, LinkConfig config,
      CompletableFuture<Stream> dialed) {
    this.sender = result.sender();
    this.receiver = result.receiver();
    this.config = config;
    this.rekeyAfterNanos = config.rekeying().afterTime().toNanos();
    this.dialed = dialed;
    this.accepted = dialed == null;
    this.stream = new Stream(result.id(), result.remote(), result.transport(), dialed != null, channel, this);
  }

  Stream stream() {
    return stream;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.pending = new CoalescingBufferQueue(ctx.channel(), 4, true);
  }

  /** Responder: tell the dialer it is in, then hand the stream to the upper layers. */
  void accept() {
    writeMessage(LinkProtocol.ACCEPT, null, ctx.newPromise());
    ctx.flush();
    deliver();
  }

  /** Responder: the access policy said no. */
  void refuse(String why) {
    abort(new CloseReason(CloseReason.Origin.LOCAL, "refused: " + why), why);
  }

  /** Sends pending data and CLOSE, then closes once the peer answers or the linger ends. */
  void closeLocally(String why) {
    if (closing) {
      return;
    }
    closing = true;
    record(new CloseReason(CloseReason.Origin.LOCAL, why));
    flushPending();
    sendClose(why);
    ctx.executor().schedule(this::closeNow, CLOSE_LINGER_MILLIS, TimeUnit.MILLISECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf plain = (ByteBuf) msg; // a whole message in its own heap buffer (MessageDecoder)
    stream.received(2 + plain.readableBytes());
    if (closed) {
      plain.release();
      return;
    }
    int plainLength;
    try {
      plainLength = receiver.decrypt(plain.array(), plain.arrayOffset() + plain.readerIndex(), plain.readableBytes());
    } catch (AEADBadTagException e) {
      plain.release();
      abort(new CloseReason(CloseReason.Origin.DECRYPTION, "transport message " + receiver.nonce()
          + " (key epoch " + receiver.epoch() + ") failed authentication"), "decryption failed");
      return;
    }
    if (receiver.bytesUnderKey() > config.rekeying().receiveLimit()) {
      plain.release();
      abort(protocolError("more than " + config.rekeying().receiveLimit() + " bytes under one key without REKEY"),
          "protocol error");
      return;
    }
    plain.writerIndex(plain.readerIndex() + plainLength);
    byte type = plain.readByte();
    switch (type) {
      case LinkProtocol.DATA -> onData(plain);
      case LinkProtocol.ACCEPT -> {
        plain.release();
        onAccept();
      }
      case LinkProtocol.CLOSE -> {
        String why = plain.toString(StandardCharsets.UTF_8);
        plain.release();
        onClose(why);
      }
      case LinkProtocol.KEEPALIVE -> plain.release();
      case LinkProtocol.REKEY -> {
        plain.release();
        onRekey(plainLength);
      }
      default -> {
        plain.release();
        abort(protocolError("unknown transport message type " + (type & 0xff)), "protocol error");
      }
    }
  }

  private void onData(ByteBuf plain) {
    if (!accepted) {
      plain.release();
      abort(protocolError("data before the link was accepted"), "protocol error");
    } else if (closing || !plain.isReadable()) {
      plain.release();
    } else {
      ctx.fireChannelRead(plain);
    }
  }

  private void onAccept() {
    if (accepted) {
      abort(protocolError("unexpected ACCEPT"), "protocol error");
      return;
    }
    accepted = true;
    deliver();
    dialed.complete(stream);
  }

  private void onClose(String why) {
    String shown = why.isEmpty() ? "no reason given" : why;
    if (!accepted) {
      dialed.completeExceptionally(new RefusedException(ctx.channel().remoteAddress(), shown));
    }
    record(new CloseReason(CloseReason.Origin.REMOTE, shown));
    closing = true;
    failPending();
    if (!closeSent) {
      sendClose("").addListener(f -> closeNow());
    } else if (stream.transport() == Transport.KCP) {
      closed = true;
      ctx.executor().schedule(this::closeNow, KCP_ACK_LINGER_MILLIS, TimeUnit.MILLISECONDS);
    } else {
      closeNow();
    }
  }

  private void onRekey(int plainLength) {
    if (plainLength != 1) {
      abort(protocolError("REKEY with a body"), "protocol error");
    } else if (receiver.nonce() == 1) {
      abort(protocolError("REKEY as the first transport message"), "protocol error");
    } else {
      receiver.rekey();
      config.rekeys().received();
    }
  }

  /**
   * Sends REKEY under the current sending key, then moves to the next key (docs/protocol.md §6.1).
   * Called before a message once the key is due; the conformance recording also calls it.
   */
  void rekey() {
    writeMessage(LinkProtocol.REKEY, null, ctx.newPromise());
    sender.rekey();
    config.rekeys().sent();
    sendKeySince = System.nanoTime();
  }

  /** Keys this side has moved past so far: sending, then receiving (read on the event loop). */
  long[] epochs() {
    return new long[] {sender.epoch(), receiver.epoch()};
  }

  /** Never before a side's first message: the listener's is ACCEPT or CLOSE. */
  private boolean rekeyDue() {
    return sender.nonce() > 0 && (sender.bytesUnderKey() >= config.rekeying().afterBytes()
        || System.nanoTime() - sendKeySince >= rekeyAfterNanos);
  }

  private void deliver() {
    try {
      config.onStream().accept(stream);
    } catch (RuntimeException e) {
      log.warn("stream callback failed for {}", stream, e);
      closeLocally("internal error");
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof ByteBuf buf)) {
      ReferenceCountUtil.release(msg);
      promise.setFailure(new IllegalArgumentException("a stream carries ByteBufs, not " + msg.getClass().getName()));
      return;
    }
    if (closing) {
      buf.release();
      promise.setFailure(new ClosedChannelException());
    } else if (!buf.isReadable()) {
      buf.release();
      promise.setSuccess();
    } else {
      pending.add(buf, promise);
    }
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    flushPending();
    ctx.flush();
  }

  /** Upper layers closing the channel get the same orderly close as {@link Stream#close}. */
  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    ctx.channel().closeFuture().addListener(f -> promise.trySuccess());
    closeLocally("closed");
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent idle) {
      switch (idle.state()) {
        case WRITER_IDLE -> {
          if (!closing) {
            writeMessage(LinkProtocol.KEEPALIVE, null, ctx.newPromise());
            ctx.flush();
          }
        }
        case READER_IDLE -> abort(new CloseReason(CloseReason.Origin.TIMEOUT,
            "nothing received for " + config.idleTimeout().toSeconds() + " s"), "idle timeout");
        default -> { }
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof DecoderException) {
      abort(protocolError(cause.getMessage()), "protocol error");
    } else {
      record(new CloseReason(CloseReason.Origin.TRANSPORT, transportError(cause)));
      closing = true;
      closeNow();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closing = true;
    failPending();
    record(new CloseReason(CloseReason.Origin.TRANSPORT, "connection closed without a close message"));
    if (!accepted) {
      dialed.completeExceptionally(new HandshakeException(ctx.channel().remoteAddress(),
          "connection closed before the peer accepted the link"));
    }
    stream.closed(reason);
    ctx.fireChannelInactive();
  }

  private String transportError(Throwable cause) {
    if (cause instanceof PortUnreachableException) {
      return "port unreachable: nothing listens at " + ctx.channel().remoteAddress() + " any more";
    }
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }

  /** Closes now, telling the peer why with a best-effort CLOSE. */
  private void abort(CloseReason why, String told) {
    record(why);
    if (closed) {
      return;
    }
    closing = true;
    failPending();
    if (closeSent) {
      closeNow();
    } else {
      sendClose(told).addListener(f -> drainThenClose());
    }
  }

  /**
   * After an abort's CLOSE: closing a TCP socket with unread bytes sends RST, which can reach the
   * peer before the CLOSE it just got. So stop sending, drop what still arrives, and close when
   * the peer does (or the linger ends).
   */
  private void drainThenClose() {
    closed = true;
    if (ctx.channel() instanceof DuplexChannel tcp && tcp.isActive()) {
      tcp.shutdownOutput();
      ctx.executor().schedule(this::closeNow, CLOSE_LINGER_MILLIS, TimeUnit.MILLISECONDS);
    } else {
      closeNow();
    }
  }

  private ChannelPromise sendClose(String why) {
    closeSent = true;
    ChannelPromise promise = ctx.newPromise();
    writeMessage(LinkProtocol.CLOSE, Unpooled.wrappedBuffer(LinkProtocol.reasonBytes(why)), promise);
    ctx.flush();
    return promise;
  }

  /** Closes the transport directly (ctx.close() skips this handler's own close()). */
  private void closeNow() {
    closed = true;
    ctx.close();
  }

  private CloseReason protocolError(String message) {
    return new CloseReason(CloseReason.Origin.PROTOCOL, message);
  }

  private void record(CloseReason why) {
    if (reason == null) {
      reason = why;
      log.debug("{} closing: {}", stream, why);
    }
  }

  /** Fails the writes still queued: a new exception (and its stack trace) only when there are some. */
  private void failPending() {
    if (!pending.isEmpty()) {
      pending.releaseAndFailAll(new ClosedChannelException());
    }
  }

  private void flushPending() {
    while (pending.readableBytes() > 0) {
      ChannelPromise promise = ctx.newPromise();
      ByteBuf chunk = pending.remove(ctx.alloc(), LinkProtocol.MAX_DATA, promise);
      writeMessage(LinkProtocol.DATA, chunk, promise);
    }
  }

  /**
   * Encrypts type || body into one length-prefixed frame, after a REKEY if the sending key is due;
   * consumes {@code body}.
   */
  private void writeMessage(byte type, ByteBuf body, ChannelPromise promise) {
    if (type != LinkProtocol.REKEY && rekeyDue()) {
      rekey();
    }
    int plainLength = 1 + (body == null ? 0 : body.readableBytes());
    ByteBuf out = ctx.alloc().heapBuffer(2 + plainLength + LinkProtocol.TAG_LENGTH);
    try {
      out.writeShort(plainLength + LinkProtocol.TAG_LENGTH);
      out.writeByte(type);
      if (body != null) {
        out.writeBytes(body);
      }
      sender.encrypt(out.array(), out.arrayOffset() + 2, plainLength);
      out.writerIndex(2 + plainLength + LinkProtocol.TAG_LENGTH);
      stream.sent(out.readableBytes());
    } catch (RuntimeException e) {
      out.release();
      promise.setFailure(e);
      return;
    } finally {
      ReferenceCountUtil.release(body);
    }
    ctx.write(out, promise);
  }
}
