package dev.weft.link;

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
