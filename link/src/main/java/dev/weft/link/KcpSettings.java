package dev.weft.link;

import io.jpower.kcp.netty.UkcpChannelOption;
import io.netty.channel.ChannelOption;
import java.util.Map;

/**
 * KCP tuning, the same at both ends but for the window, which each side sizes for itself. Latency under loss is the reason to use KCP at all, so every
 * choice below favours it; the figures are from the 50 ms RTT emulated WAN of {@code bench/run}.
 *
 * <ul>
 *   <li>Stream mode: the link is a byte stream; message mode would cap a write at 127 fragments.
 *   <li>nodelay: a lost segment is resent after srtt + max(interval, 4 rttvar), at least 30 ms
 *       ({@link KcpRtoFloor} raises that floor to 200 ms while a bulk transfer fills the window),
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
 *       At most twice per segment (kcp-netty's default is up to 5 times, a copy on every second
 *       datagram that passes it, all within a few ms): a resend that is lost too goes again after
 *       a round trip ({@link KcpLostResends}).
 *   <li>No congestion window: KCP's "turbo" profile, trading some bandwidth for latency; the
 *       windows below bound what is in flight.
 *   <li>MTU 1400: fits a 1500-byte Ethernet path under IPv6 + UDP headers and common tunnels, so
 *       segments are never IP-fragmented.
 *   <li>Windows sized from the bandwidth-delay product: with no congestion window, what is in
 *       flight is the window, and throughput is about window / RTT. The fixed 512 segments (~700
 *       KB) of before held weft over KCP at ~10 MB/s on a 50 ms path that carries ~45 MB/s. The
 *       4.5 MiB default (3,430 segments) is about twice that path's bandwidth-delay product: KCP
 *       advances its window only from the oldest unacknowledged segment, so while a lost one is
 *       resent (a round trip or more) the window must hold another round trip of data, and at 1 %
 *       loss 3 MiB carried 22 MB/s where direct TCP carries 29 (4.5 MiB: 29-31). Larger costs CPU:
 *       kcp-netty walks its send buffer on every ACK. Configurable from 64 KiB to 64
 *       MiB ({@code weft run --kcp-window-kib}; KCP's window field is 16 bits of segments). The
 *       send window adapts below it to the path's delay ({@link KcpSendWindow}); the receive
 *       window is also the most a peer can make one link hold out of order. Memory is used only
 *       while data is in flight.
 *   <li>UDP socket buffers twice the window (the kernel caps them at net.core.rmem_max/wmem_max):
 *       a full window can arrive as one burst, each datagram charged about twice its size, and the
 *       208 KiB default dropped most of it, which turned a 1 MiB loopback transfer into seconds of
 *       retransmission.
 *   <li>No dead-link detection: kcp-netty ends a conversation once one segment has been sent N
 *       times, and with nodelay's gentle backoff from a 30 ms minimum RTO its default N of 20 is
 *       only 3 to 10 s on a fast path, so a peer starved of CPU for a few seconds lost its link.
 *       As over TCP (whose retransmissions go on for minutes), the link's idle timeout decides when
 *       a silent peer is gone: the same rule, in time, on both transports.
 * </ul>
 */
record KcpSettings(int windowBytes) {
  static final int MTU = 1400;
  /** Payload of one full segment: the MTU less KCP's 24-byte segment header. */
  static final int SEGMENT_PAYLOAD = MTU - 24;
  static final int DEFAULT_WINDOW_BYTES = 4608 * 1024;
  static final int MIN_WINDOW_BYTES = 64 * 1024;
  static final int MAX_WINDOW_BYTES = 64 * 1024 * 1024;
  static final int INTERVAL_MILLIS = 10;
  static final int FAST_RESEND = 2;
  static final int FAST_LIMIT = 2;
  /** Never reached: see the class comment. */
  static final int DEAD_LINK = Integer.MAX_VALUE;
  static final KcpSettings DEFAULTS = new KcpSettings(DEFAULT_WINDOW_BYTES);

  KcpSettings {
    if (windowBytes < MIN_WINDOW_BYTES || windowBytes > MAX_WINDOW_BYTES) {
      throw new IllegalArgumentException("KCP window must be " + MIN_WINDOW_BYTES / 1024 + " KiB to "
          + MAX_WINDOW_BYTES / 1024 + " KiB, got " + windowBytes + " bytes");
    }
  }

  /** The window in segments, as KCP counts it. */
  int windowSegments() {
    return (windowBytes + SEGMENT_PAYLOAD - 1) / SEGMENT_PAYLOAD;
  }

  /** Options of the UDP socket: the client channel's own, or the listening channel's (shared by its children). */
  Map<ChannelOption<?>, Object> socketOptions() {
    int buffer = (int) Math.min(Integer.MAX_VALUE, 2L * windowBytes);
    return Map.of(ChannelOption.SO_RCVBUF, buffer, ChannelOption.SO_SNDBUF, buffer);
  }

  /** Options of each KCP conversation. */
  Map<ChannelOption<?>, Object> options() {
    return Map.ofEntries(
        Map.entry(UkcpChannelOption.UKCP_STREAM, true),
        Map.entry(UkcpChannelOption.UKCP_NODELAY, true),
        Map.entry(UkcpChannelOption.UKCP_INTERVAL, INTERVAL_MILLIS),
        Map.entry(UkcpChannelOption.UKCP_FAST_FLUSH, true),
        Map.entry(UkcpChannelOption.UKCP_FAST_RESEND, FAST_RESEND),
        Map.entry(UkcpChannelOption.UKCP_FAST_LIMIT, FAST_LIMIT),
        Map.entry(UkcpChannelOption.UKCP_NOCWND, true),
        Map.entry(UkcpChannelOption.UKCP_MTU, MTU),
        Map.entry(UkcpChannelOption.UKCP_SND_WND, windowSegments()),
        Map.entry(UkcpChannelOption.UKCP_RCV_WND, windowSegments()),
        Map.entry(UkcpChannelOption.UKCP_DEAD_LINK, DEAD_LINK));
  }
}
