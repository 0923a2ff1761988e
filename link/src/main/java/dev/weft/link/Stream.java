package dev.weft.link;

import dev.weft.identity.Identity;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * An authenticated, encrypted, ordered, reliable byte stream to one peer identity.
 *
 * <p>{@link #channel()}'s pipeline carries plaintext {@code ByteBuf}s: upper layers add their
 * handlers at its end (in the Linker's stream callback, before any data is delivered). Writes are
 * coalesced until flush and then encrypted into Noise messages; reads deliver decrypted bytes with
 * no message boundaries. Backpressure is the channel's writability. Closing the channel (or
 * {@link #close}) sends a close message the peer sees as the reason.
 */
public final class Stream {
  private final StreamId id;
  private final Identity remote;
  private final Transport transport;
  private final boolean initiator;
  private final Channel channel;
  private final SecureChannel secure;
  private final CompletableFuture<CloseReason> closeFuture = new CompletableFuture<>();
  // Written only on the channel's event loop, read from any thread.
  private volatile long bytesIn;
  private volatile long bytesOut;

  Stream(StreamId id, Identity remote, Transport transport, boolean initiator, Channel channel, SecureChannel secure) {
    this.id = id;
    this.remote = remote;
    this.transport = transport;
    this.initiator = initiator;
    this.channel = channel;
    this.secure = secure;
  }

  /** The same at both ends of the stream. */
  public StreamId id() {
    return id;
  }

  /** The peer's proven identity. */
  public Identity remote() {
    return remote;
  }

  public Transport transport() {
    return transport;
  }

  /** True on the side that dialled. */
  public boolean initiator() {
    return initiator;
  }

  /** For a relayed stream, the local address of the stream to the relay. */
  public InetSocketAddress localAddress() {
    return PipeAddresses.localOf(channel);
  }

  /** For a relayed stream, the relay's address. */
  public InetSocketAddress remoteAddress() {
    return PipeAddresses.remoteOf(channel);
  }

  /** The Netty channel; its pipeline carries plaintext after the link handlers. */
  public Channel channel() {
    return channel;
  }

  /**
   * Sends the pending writes, then a close message with {@code reason}, and closes. Idempotent;
   * safe from any thread.
   */
  public void close(String reason) {
    channel.eventLoop().execute(() -> secure.closeLocally(reason));
  }

  /**
   * Bytes received on the transport since the handshake: every encrypted message with its length
   * prefix (for KCP, not counting KCP's and UDP's own headers).
   */
  public long bytesIn() {
    return bytesIn;
  }

  /** Bytes sent on the transport since the handshake, counted as {@link #bytesIn()}. */
  public long bytesOut() {
    return bytesOut;
  }

  void received(int bytes) {
    bytesIn += bytes;
  }

  void sent(int bytes) {
    bytesOut += bytes;
  }

  /** Completes (never exceptionally) when the stream has closed, with why. */
  public CompletableFuture<CloseReason> closeFuture() {
    return closeFuture;
  }

  void closed(CloseReason reason) {
    closeFuture.complete(reason);
  }

  @Override
  public String toString() {
    return "Stream[" + id + " " + transport.scheme() + " " + (initiator ? "to " : "from ") + remote.shortText()
        + " " + remoteAddress() + "]";
  }
}
