package dev.weft.link;

import io.jpower.kcp.netty.UkcpChannelOption;
import io.netty.channel.ChannelOption;
import java.util.Map;

/**
 * KCP tuning, the same at both ends. Latency under loss is the reason to use KCP at all, so every
 * choice below favours it; the figures are from the 50 ms RTT emulated WAN of {@code bench/run}.
 *
 * <ul>
 *   <li>Stream mode: the link is a byte stream; message mode would cap a write at 127 fragments.
 *   <li>nodelay: a lost segment is resent after srtt + max(interval, 4 rttvar), at least 30 ms,
 *       and each further resend waits 1.5 times longer (without it: at least 100 ms, doubling). On
 *       the emulated WAN a lost 64-byte request or reply costs 58-62 ms more, where TCP waits
 *       250-300 ms for its minimum RTO or tail-loss probe. The 30 ms floor is left as nodelay sets
 *       it: it only matters below ~20 ms RTT, where a lower one would resend whole windows during
 *       a few tens of ms of CPU starvation.
 *   <li>Interval 10 ms, kcp-netty's lowest (it raises anything lower to 10): it is both the RTO's
 *       margin over srtt and the longest an ACK waits when no data goes back to carry it. Each
 *       conversation runs one update per interval at each end, idle or not.
 *   <li>Flush on write: a write is sent at once instead of at the next update, up to an interval
 *       later. kcp-netty's default, set here because the latency depends on it; a request's ACK
 *       then travels with the reply, so a round trip costs two datagrams.
 *   <li>Fast resend after 2 duplicate ACKs: for a segment followed by others in flight (bulk),
 *       resent without waiting for the RTO. A lone request has no followers and relies on the RTO.
 *   <li>No congestion window: KCP's "turbo" profile, trading some bandwidth for latency; the
 *       windows below bound what is in flight.
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
        UkcpChannelOption.UKCP_FAST_FLUSH, true,
        UkcpChannelOption.UKCP_FAST_RESEND, FAST_RESEND,
        UkcpChannelOption.UKCP_NOCWND, true,
        UkcpChannelOption.UKCP_MTU, MTU,
        UkcpChannelOption.UKCP_SND_WND, WINDOW,
        UkcpChannelOption.UKCP_RCV_WND, WINDOW,
        UkcpChannelOption.UKCP_DEAD_LINK, DEAD_LINK);
  }
}
