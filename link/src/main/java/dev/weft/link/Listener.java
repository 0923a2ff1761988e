package dev.weft.link;

import io.jpower.kcp.netty.UkcpPacket;
import io.jpower.kcp.netty.UkcpServerChannel;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/** A bound listening socket of a {@link Linker}. */
public final class Listener {
  private final Endpoint endpoint;
  private final Channel channel;

  Listener(Endpoint requested, Channel channel) {
    this.channel = channel;
    InetSocketAddress bound = (InetSocketAddress) channel.localAddress();
    this.endpoint = new Endpoint(requested.transport(), requested.host(), bound.getPort());
  }

  /** The endpoint as bound: the requested host with the actual port (useful after port 0). */
  public Endpoint endpoint() {
    return endpoint;
  }

  public InetSocketAddress localAddress() {
    return (InetSocketAddress) channel.localAddress();
  }

  /** Whether this listener is a KCP (UDP) socket, from which {@link #sendDatagram} can send. */
  public boolean datagrams() {
    return channel instanceof UkcpServerChannel;
  }

  /**
   * Sends one datagram from this KCP listener's socket, outside any conversation: a hole-punching
   * probe that opens this side's NAT towards {@code target} (docs/protocol.md §30). Dropped, not
   * queued, while the socket is behind.
   */
  public void sendDatagram(InetSocketAddress target, byte[] datagram) {
    if (!datagrams()) {
      throw new IllegalStateException(this + " is not a KCP listener");
    }
    channel.eventLoop().execute(() -> {
      if (channel.isWritable()) {
        Channel.Unsafe unsafe = channel.unsafe();
        unsafe.write(UkcpPacket.newInstance(Unpooled.wrappedBuffer(datagram), target), unsafe.voidPromise());
        unsafe.flush();
      }
    });
  }

  /**
   * Stops accepting. TCP streams already accepted stay open; KCP streams share the listener's
   * socket and close with it.
   */
  public CompletableFuture<Void> close() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    channel.close().addListener(f -> done.complete(null));
    return done;
  }

  @Override
  public String toString() {
    return "Listener[" + endpoint + "]";
  }
}
