package dev.weft.link;

import io.jpower.kcp.netty.Kcp;
import io.jpower.kcp.netty.KcpOutput;
import io.jpower.kcp.netty.Ukcp;
import io.jpower.kcp.netty.UkcpClientChannel;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.lang.reflect.Field;
import java.util.ArrayList;

/**
 * A KCP dialer's side of the cookie exchange (docs/protocol.md §2.3). Until the listener's first
 * KCP datagram arrives, a cookie reply that names this link's conv is taken: the first datagram is
 * sent again at once with the cookie echoed in front, and so is every datagram after it until the
 * listener answers with KCP. Datagrams that are neither KCP nor such a reply are dropped here, so
 * they cannot end the conversation as kcp-netty would.
 *
 * <p>A forged reply costs a retry at worst: the listener answers a wrong cookie with a fresh one.
 * Only {@link #MAX_RESENDS} replies are answered at once (KCP's own retransmissions carry the
 * latest cookie after that), so replies cannot make the dialer send without bound.
 *
 * <p>Installed by reflection on kcp-netty's client channel (see {@link KcpReadBuffers}): as its
 * UDP channel's read buffer, and around its KCP's output. Runs on the channel's event loop.
 */
final class KcpDialerCookie extends ArrayList<Object> implements KcpOutput {
  static final int MAX_RESENDS = 4;

  private final UkcpClientChannel channel;
  private final KcpOutput output;
  private final Kcp kcp;
  private byte[] cookie;
  private ByteBuf first;
  private boolean answered;
  private int resends;

  private KcpDialerCookie(UkcpClientChannel channel, Kcp kcp, KcpOutput output) {
    this.channel = channel;
    this.kcp = kcp;
    this.output = output;
  }

  /** Makes {@code channel}, not yet connected, take part in the cookie exchange. */
  static void install(UkcpClientChannel channel) {
    try {
      Ukcp ukcp = (Ukcp) KcpInternals.field(UkcpClientChannel.class, "ukcp").get(channel);
      Kcp kcp = (Kcp) KcpInternals.field(Ukcp.class, "kcp").get(ukcp);
      Field outputField = KcpInternals.field(Kcp.class, "output");
      KcpDialerCookie dialer = new KcpDialerCookie(channel, kcp, (KcpOutput) outputField.get(kcp));
      Channel udp = (Channel) KcpInternals.field(UkcpClientChannel.class, "udpChannel").get(channel);
      KcpReadBuffers.replace(udp.unsafe(), dialer);
      outputField.set(kcp, dialer);
      channel.closeFuture().addListener(f -> dialer.closed());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot take part in KCP cookies (kcp-netty 1.5.2 expected)", e);
    }
  }

  /** Every datagram KCP sends: the first one kept for a resend, and the cookie echoed while it is needed. */
  @Override
  public void out(ByteBuf datagram, Kcp from) {
    if (!answered && first == null) {
      first = datagram.copy();
    }
    output.out(!answered && cookie != null ? CookieDatagram.echo(channel.alloc(), cookie, datagram) : datagram, from);
  }

  /** Every datagram received, before KCP sees it. */
  @Override
  public boolean add(Object received) {
    ByteBuf datagram = (ByteBuf) received;
    CookieDatagram.Kind kind = CookieDatagram.classify(datagram);
    if (kind == CookieDatagram.Kind.KCP) {
      answered = true;
      forgetFirst();
      return super.add(datagram);
    }
    if (kind == CookieDatagram.Kind.REPLY && !answered && CookieDatagram.conv(datagram, kind) == channel.conv()) {
      cookie = new byte[HandshakeCookie.LENGTH];
      datagram.getBytes(datagram.readerIndex() + CookieDatagram.MARKER + 1 + 4, cookie);
      if (first != null && resends++ < MAX_RESENDS) {
        output.out(CookieDatagram.echo(channel.alloc(), cookie, first.retainedDuplicate()), kcp);
      }
    }
    datagram.release();
    return true;
  }

  private void closed() {
    answered = true;
    forgetFirst();
  }

  private void forgetFirst() {
    if (first != null) {
      first.release();
      first = null;
    }
  }
}
