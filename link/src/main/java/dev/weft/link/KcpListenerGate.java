package dev.weft.link;

import io.jpower.kcp.netty.UkcpPacket;
import io.jpower.kcp.netty.UkcpServerChannel;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, for each datagram a KCP listener receives, before kcp-netty sees it, whether it may
 * start a conversation (docs/protocol.md §2.3). A datagram from a source that already has one
 * goes on as today. A new source needs a token from its {@link HandshakeRate} bucket and, while
 * the node is under load ({@link CookieLoad}), a valid cookie: without one it gets a cookie reply,
 * never larger than the datagram it answers, and leaves nothing behind.
 *
 * <p>Installed as the read buffer of the listener's channel ({@link KcpReadBuffers}); runs on its
 * event loop, in kcp-netty's read loop. The datagrams it keeps are then given to KCP.
 */
final class KcpListenerGate extends ArrayList<Object> {
  private static final Logger log = LoggerFactory.getLogger(KcpListenerGate.class);

  private final UkcpServerChannel channel;
  private final Map<?, ?> conversations;
  private final Map<?, ?> closing;
  private final HandshakeCookie cookie = new HandshakeCookie(System.nanoTime());
  private final HandshakeRate rate;
  private final CookieLoad load;
  private final CookieStats.Counters counters;
  /** Sources let through in this read, whose conversations kcp-netty has not created yet. */
  private final Set<InetSocketAddress> admitted = new HashSet<>();
  private boolean replied;
  private boolean warned;

  private KcpListenerGate(UkcpServerChannel channel, HandshakeRate rate, CookieLoad load,
      CookieStats.Counters counters) {
    this.channel = channel;
    this.conversations = map(channel, "childChannelMap");
    this.closing = map(channel, "closeWaitKcpMap");
    this.rate = rate;
    this.load = load;
    this.counters = counters;
  }

  /** A listening channel whose datagrams pass this gate. */
  static UkcpServerChannel channel(HandshakeRate rate, CookieLoad load, CookieStats.Counters counters) {
    UkcpServerChannel channel = new UkcpServerChannel();
    try {
      KcpReadBuffers.replace(channel.unsafe(), new KcpListenerGate(channel, rate, load, counters));
    } catch (RuntimeException e) {
      channel.unsafe().closeForcibly();
      throw e;
    }
    return channel;
  }

  /** Keeps {@code datagram} for KCP, or answers or drops it; never fails. */
  @Override
  public boolean add(Object datagram) {
    UkcpPacket packet = (UkcpPacket) datagram;
    boolean keep;
    try {
      keep = admit(packet.remoteAddress(), packet.content());
    } catch (RuntimeException e) {
      // Thrown out of kcp-netty's read loop it would close the listener: one datagram is dropped
      // instead, and said once at warn level (a source that can cause it must not flood the log).
      if (warned) {
        log.debug("dropped a datagram from {}: {}", packet.remoteAddress(), e.toString());
      } else {
        warned = true;
        log.warn("dropped a datagram from {} (further ones at debug level)", packet.remoteAddress(), e);
      }
      keep = refuse();
    }
    if (keep) {
      super.add(packet);
    } else {
      packet.release();
    }
    return true;
  }

  /** Called by kcp-netty once the datagrams of a read are handled: sends the replies of that read at once. */
  @Override
  public void clear() {
    super.clear();
    admitted.clear();
    if (replied) {
      replied = false;
      channel.unsafe().flush();
    }
  }

  private boolean admit(InetSocketAddress source, ByteBuf data) {
    CookieDatagram.Kind kind = CookieDatagram.classify(data);
    long now = System.nanoTime();
    boolean cookied = kind == CookieDatagram.Kind.ECHO && cookie.valid(source, data.slice(data.readerIndex()
        + CookieDatagram.MARKER + 1, HandshakeCookie.LENGTH), now);
    if (cookied) {
      data.skipBytes(CookieDatagram.ECHO_PREFIX);
    }
    if (conversations.containsKey(source) || closing.containsKey(source) || admitted.contains(source)) {
      return kind == CookieDatagram.Kind.KCP || cookied || refuse();
    }
    switch (kind) {
      case KCP -> {
        counters.unverified();
        if (!load.unverified(now, admitted.size()) && rate.tryAcquire(source.getAddress(), now)) {
          return start(source, false);
        }
        return answer(source, data, CookieDatagram.conv(data, kind), now);
      }
      case ECHO -> {
        if (!cookied) {
          return answer(source, data, data.getIntLE(data.readerIndex() + CookieDatagram.ECHO_PREFIX), now);
        }
        if (!rate.tryAcquire(source.getAddress(), now)) {
          return refuse();
        }
        return start(source, true);
      }
      default -> {
        return refuse();
      }
    }
  }

  /** Sends {@code source} a cookie in a reply no larger than {@code request}; keeps nothing. */
  private boolean answer(InetSocketAddress source, ByteBuf request, int conv, long now) {
    // Not writable: the socket is behind; replies must not pile up in memory in front of it.
    if (request.readableBytes() < CookieDatagram.REPLY_LENGTH || !channel.isWritable()) {
      return refuse();
    }
    ByteBuf reply = CookieDatagram.reply(channel.alloc(), conv, cookie.mint(source, now));
    counters.replied(reply.readableBytes(), request.readableBytes());
    Channel.Unsafe unsafe = channel.unsafe();
    unsafe.write(UkcpPacket.newInstance(reply, source), unsafe.voidPromise());
    replied = true;
    return false;
  }

  private boolean start(InetSocketAddress source, boolean verified) {
    counters.started(verified);
    return admitted.add(source);
  }

  private boolean refuse() {
    counters.refused();
    return false;
  }

  private static Map<?, ?> map(UkcpServerChannel channel, String name) {
    try {
      Field field = UkcpServerChannel.class.getDeclaredField(name);
      field.setAccessible(true);
      return (Map<?, ?>) field.get(channel);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot see kcp-netty's conversations (kcp-netty 1.5.2 expected)", e);
    }
  }
}
