package dev.weft.link;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;

/**
 * The socket addresses a stream carried over a {@link CarrierPipe} shows as its own: those of the
 * stream that carries it (for a relayed stream, the stream to the relay), since the pipe's
 * in-memory channels have none.
 */
public record PipeAddresses(InetSocketAddress local, InetSocketAddress remote) {
  static final AttributeKey<PipeAddresses> KEY = AttributeKey.valueOf("weft.pipeAddresses");

  static InetSocketAddress localOf(Channel channel) {
    PipeAddresses pipe = channel.attr(KEY).get();
    return pipe != null ? pipe.local : (InetSocketAddress) channel.localAddress();
  }

  static InetSocketAddress remoteOf(Channel channel) {
    PipeAddresses pipe = channel.attr(KEY).get();
    return pipe != null ? pipe.remote : (InetSocketAddress) channel.remoteAddress();
  }
}
