package dev.weft.link;

import java.lang.reflect.Field;
import java.util.Collection;

/**
 * Sends a resent segment again once it has gone unacknowledged for its smoothed RTT plus an
 * update interval since it was last sent: the resend was lost too. Without this KCP either waits
 * for the segment's RTO, at least 200 ms in bulk ({@link KcpRtoFloor}), while the window cannot
 * pass the hole, or (kcp-netty's default fast resend limit of 5) sends it again on every second
 * datagram that passes it, four copies within a few ms, long before any could be acknowledged.
 * In {@link KcpBulkTest}'s simulated 50 ms, 25 MB/s path at 5 % loss those copies were 21 % of
 * what was sent (this: 10 %), and behind a 500-packet queue at 0 % loss they held KCP at 45 % of
 * the bottleneck (this: 67 %); a limit of 1 with only the RTO behind it carried 45 % at 5 % loss.
 * So KCP fast-resends at most twice ({@link KcpSettings#FAST_LIMIT}) and this goes on from there,
 * once per round trip. Confined to the conversation's event loop.
 */
final class KcpLostResends {
  private final Object kcp;
  private final Field current;
  private final Collection<?> sndBuf;
  private final Field sentAt;
  private final Field sends;
  private final Field resendAt;

  /** @param sndBuf {@code kcp}'s send buffer: its segments sent and not yet acknowledged */
  KcpLostResends(Object kcp, Collection<?> sndBuf) throws ReflectiveOperationException {
    Class<?> segment = Class.forName(kcp.getClass().getName() + "$Segment");
    this.kcp = kcp;
    this.current = KcpInternals.field(kcp.getClass(), "current");
    this.sndBuf = sndBuf;
    this.sentAt = KcpInternals.field(segment, "ts");
    this.sends = KcpInternals.field(segment, "xmit");
    this.resendAt = KcpInternals.field(segment, "resendts");
  }

  /** Makes every resent segment unacknowledged for a round trip due for sending now. */
  void check(int srtt) throws IllegalAccessException {
    if (srtt <= 0) {
      return;
    }
    int now = current.getInt(kcp); // KCP's own clock, which its segments' times are on
    int due = srtt + KcpSettings.INTERVAL_MILLIS;
    for (Object segment : sndBuf) {
      int xmit = sends.getInt(segment);
      if (now - sentAt.getInt(segment) < due) {
        if (xmit == 1) {
          return; // sent once, recently: so was every later segment (the buffer is in send order)
        }
      } else if (xmit > 1 && resendAt.getInt(segment) - now > 0) {
        resendAt.setInt(segment, now);
      }
    }
  }
}
