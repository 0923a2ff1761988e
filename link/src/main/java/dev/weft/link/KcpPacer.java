package dev.weft.link;

import io.jpower.kcp.netty.Kcp;
import io.jpower.kcp.netty.KcpOutput;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Stands between a KCP conversation and its UDP socket and lets datagrams out at the pacing rate
 * ({@link KcpPacingRate}), as a token bucket holding at most {@link #BURST_MICROS} worth: what
 * exceeds it waits here, in order, and {@link #drain} (run about every millisecond while anything
 * waits) sends it when its time comes. Unpaced (rate 0), a datagram goes out at once, as it would
 * without this. What waits is bounded by KCP's window, which counts it as in flight. Confined to
 * the conversation's event loop.
 */
final class KcpPacer implements KcpOutput {
  /** Up to 2 ms of the rate leave back to back: timers on the event loop are milliseconds apart. */
  static final long BURST_MICROS = 2_000;
  /** Where a KCP segment's command is (after its 4-byte conv), and the ACK command (protocol.md §2.2). */
  private static final int CMD_AT = 4;
  private static final byte CMD_ACK = 82;

  private final KcpOutput socket;
  private final LongSupplier nanoClock;
  private final Consumer<Runnable> later;
  private final ArrayDeque<ByteBuf> waiting = new ArrayDeque<>();
  private Kcp kcp;
  private long rate;
  private long tokens;
  private long refilledAt;
  private boolean drainScheduled;

  /**
   * @param socket where datagrams go: the conversation's own output
   * @param later runs a task about a millisecond later, on the same event loop
   */
  KcpPacer(KcpOutput socket, LongSupplier nanoClock, Consumer<Runnable> later) {
    this.socket = socket;
    this.nanoClock = nanoClock;
    this.later = later;
  }

  @Override
  public void out(ByteBuf datagram, Kcp kcp) {
    this.kcp = kcp;
    // KCP puts its ACKs first in a datagram. They never wait: when both ends send in bulk, ACKs
    // held behind data lowered the delivery rate the other end paced at, which held back its
    // ACKs in turn, down to a stall (RekeyTest's both-ways transfer over KCP).
    if (rate == 0 || datagram.getByte(datagram.readerIndex() + CMD_AT) == CMD_ACK) {
      socket.out(datagram, kcp);
      return;
    }
    waiting.add(datagram);
    drain();
  }

  /**
   * Paces at {@code bytesPerSecond} from now on; 0 sends what waits and stops pacing (also once
   * the conversation closes: kcp-netty may still flush it for a while).
   */
  void rate(long bytesPerSecond) {
    refill();
    rate = bytesPerSecond;
    tokens = Math.min(tokens, burst());
    if (rate == 0) {
      while (!waiting.isEmpty()) {
        socket.out(waiting.poll(), kcp);
      }
    }
  }

  /** Sends what the bucket allows now; asks to be run again while anything still waits. */
  void drain() {
    drainScheduled = false;
    refill();
    while (!waiting.isEmpty() && (tokens > 0 || rate == 0)) {
      ByteBuf datagram = waiting.poll();
      tokens -= datagram.readableBytes();
      socket.out(datagram, kcp);
    }
    if (!waiting.isEmpty() && !drainScheduled) {
      drainScheduled = true;
      later.accept(this::drain);
    }
  }

  private void refill() {
    long now = nanoClock.getAsLong();
    long elapsed = Math.min(now - refilledAt, 100_000_000L); // the bucket holds 2 ms: no overflow
    refilledAt = now;
    if (rate > 0 && elapsed > 0) {
      tokens = Math.min(burst(), tokens + elapsed * rate / 1_000_000_000L);
    }
  }

  private long burst() {
    return Math.max(2L * KcpSettings.MTU, rate * BURST_MICROS / 1_000_000);
  }
}
