package dev.weft.link;

import io.jpower.kcp.netty.Kcp;
import io.jpower.kcp.netty.KcpOutput;
import io.netty.buffer.ByteBuf;
import java.util.function.LongSupplier;

/**
 * Sends each data-carrying datagram of a thin conversation twice, back to back: a lone request or
 * reply has no later segment to reveal its loss, so a lost one waits for its RTO, and a round trip
 * under loss pays that once per lost copy (at 5 % each way, one round trip in a hundred lost two
 * datagrams, and its p99 was two RTOs above the path's). Two copies are lost together one time in
 * 400 at 5 %. Thin means at most {@link #THIN_SEGMENTS} segments wait to be sent or acknowledged,
 * and the copies are bounded by a token bucket of {@link #BYTES_PER_SECOND}, so bulk data is never
 * doubled and a busy exchange of small messages is mostly not. A KCP receiver drops a segment it
 * already has and acknowledges it again, so copies need nothing from the peer (protocol.md §2.2).
 * Confined to the conversation's event loop.
 */
final class KcpThinCopies implements KcpOutput {
  static final int THIN_SEGMENTS = 4;
  /** What copies may add: a few keystrokes or requests a millisecond, never a transfer. */
  static final long BYTES_PER_SECOND = 64 * 1024;
  static final long BURST_BYTES = 16 * 1024;
  /** A segment's header (protocol.md §2.2): its command at 4, its data length at 20. */
  private static final int HEADER = 24;
  private static final int CMD_AT = 4;
  private static final int LEN_AT = 20;
  private static final byte CMD_PUSH = 81;

  private final KcpOutput socket;
  private final LongSupplier nanoClock;
  private long tokens = BURST_BYTES;
  private long refilledAt;

  KcpThinCopies(KcpOutput socket, LongSupplier nanoClock) {
    this.socket = socket;
    this.nanoClock = nanoClock;
    this.refilledAt = nanoClock.getAsLong();
  }

  @Override
  public void out(ByteBuf datagram, Kcp kcp) {
    boolean thin = kcp != null && kcp.waitSnd() <= THIN_SEGMENTS;
    ByteBuf copy = thin && carriesData(datagram) && take(datagram.readableBytes()) ? datagram.copy() : null;
    socket.out(datagram, kcp);
    if (copy != null) {
      socket.out(copy, kcp);
    }
  }

  /** Whether any segment in {@code datagram} is a push (data), not only ACKs or window probes. */
  static boolean carriesData(ByteBuf datagram) {
    long at = datagram.readerIndex();
    while (at + HEADER <= datagram.writerIndex()) {
      if (datagram.getByte((int) at + CMD_AT) == CMD_PUSH) {
        return true;
      }
      at += HEADER + datagram.getUnsignedIntLE((int) at + LEN_AT);
    }
    return false;
  }

  private boolean take(int bytes) {
    long now = nanoClock.getAsLong();
    long elapsed = Math.min(now - refilledAt, 1_000_000_000L);
    refilledAt = now;
    tokens = Math.min(BURST_BYTES, tokens + elapsed * BYTES_PER_SECOND / 1_000_000_000L);
    if (tokens < bytes) {
      return false;
    }
    tokens -= bytes;
    return true;
  }
}
