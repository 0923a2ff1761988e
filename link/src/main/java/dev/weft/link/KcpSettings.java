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
 *   <li>Windows of 512 segments (~700 KB in flight): throughput is about window / RTT, so this
 *       sustains ~70 MB/s at 10 ms RTT and ~7 MB/s at 100 ms, versus ~45 KB in flight at the
 *       defaults (32 send / 128 receive). 1024 was measured too: on loopback its bursts overflowed
 *       the receiving UDP socket and were slower. Memory is used only while data is in flight.
 *   <li>UDP socket buffers of 4 MiB (the kernel caps them at net.core.rmem_max/wmem_max): a full
 *       window arrives as one burst, and the 208 KiB default drops most of it, which turned a 1 MiB
 *       loopback transfer into seconds of retransmission.
 *   <li>No dead-link detection: kcp-netty ends a conversation once one segment has been sent N
 *       times, and with nodelay's gentle backoff from a 30 ms minimum RTO its default N of 20 is
 *       only 3 to 10 s on a fast path, so a peer starved of CPU for a few seconds lost its link.
 *       As over TCP (whose retransmissions go on for minutes), the link's idle timeout decides when
 *       a silent peer is gone: the same rule, in time, on both transports.
 * </ul>
 */
final class KcpSettings {
  static final int MTU = 1400;
  static final int WINDOW = 512;
  static final int INTERVAL_MILLIS = 10;
  static final int FAST_RESEND = 2;
  /** Never reached: see the class comment. */
  static final int DEAD_LINK = Integer.MAX_VALUE;
  static final int SOCKET_BUFFER = 4 * 1024 * 1024;

  private KcpSettings() {}

  /** Options of the UDP socket: the client channel's own, or the listening channel's (shared by its children). */
  static Map<ChannelOption<?>, Object> socketOptions() {
    return Map.of(ChannelOption.SO_RCVBUF, SOCKET_BUFFER, ChannelOption.SO_SNDBUF, SOCKET_BUFFER);
  }

  /** Options of each KCP conversation. */
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
