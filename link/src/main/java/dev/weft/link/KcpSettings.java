package dev.weft.link;

import io.jpower.kcp.netty.UkcpChannelOption;
import io.netty.channel.ChannelOption;
import java.util.Map;

/**
 * KCP tuning, the same at both ends.
 *
 * <ul>
 *   <li>Stream mode: the link is a byte stream; message mode would cap a write at 127 fragments.
 *   <li>nodelay 1, interval 10 ms, fast resend after 2 duplicate ACKs, no congestion window: KCP's
 *       "turbo" profile, trading some bandwidth for latency (the reason to use KCP at all).
 *   <li>MTU 1400: fits a 1500-byte Ethernet path under IPv6 + UDP headers and common tunnels, so
 *       segments are never IP-fragmented.
 *   <li>Windows of 1024 segments (~1.4 MB in flight): throughput is about window / RTT, so this
 *       sustains ~140 MB/s at 10 ms RTT and ~14 MB/s at 100 ms, versus ~45 KB at the defaults
 *       (32 send / 128 receive). The cost is memory only while that much is actually in flight.
 *   <li>Dead link after 20 retransmissions of one segment (the KCP default): with keepalives
 *       flowing, a vanished peer is noticed within seconds.
 * </ul>
 */
final class KcpSettings {
  static final int MTU = 1400;
  static final int WINDOW = 1024;
  static final int INTERVAL_MILLIS = 10;
  static final int FAST_RESEND = 2;
  static final int DEAD_LINK = 20;

  private KcpSettings() {}

  static Map<ChannelOption<?>, Object> options() {
    return Map.of(
        UkcpChannelOption.UKCP_STREAM, true,
        UkcpChannelOption.UKCP_NODELAY, true,
        UkcpChannelOption.UKCP_INTERVAL, INTERVAL_MILLIS,
        UkcpChannelOption.UKCP_FAST_RESEND, FAST_RESEND,
        UkcpChannelOption.UKCP_NOCWND, true,
        UkcpChannelOption.UKCP_MTU, MTU,
        UkcpChannelOption.UKCP_SND_WND, WINDOW,
        UkcpChannelOption.UKCP_RCV_WND, WINDOW,
        UkcpChannelOption.UKCP_DEAD_LINK, DEAD_LINK);
  }
}
