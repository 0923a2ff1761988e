package dev.weft.link;

import io.jpower.kcp.netty.KcpOutput;
import io.jpower.kcp.netty.Ukcp;
import io.jpower.kcp.netty.UkcpChannel;
import io.netty.channel.Channel;
import java.lang.reflect.Field;
import java.util.Collection;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What weft changes in one KCP conversation as it runs, every update interval: its minimum RTO
 * ({@link KcpRtoFloor}), when a lost resend goes again ({@link KcpLostResends}), its send window
 * ({@link KcpSendWindow}) and the rate its datagrams are paced at ({@link KcpPacingRate},
 * through a {@link KcpPacer} put in front of its socket, which sends a thin conversation's data
 * twice: {@link KcpThinCopies}).
 * kcp-netty offers no hook for any of them, and keeps the conversation, its RTT, its output and
 * its send buffer private, so all are reached by reflection, as {@link KcpSocketErrors} does.
 * Confined to the conversation's event loop.
 */
final class KcpRuntimeTuning {
  private static final Logger log = LoggerFactory.getLogger(KcpRuntimeTuning.class);
  /** Bytes per second below which bursts are not spread: 100 Mbit/s. */
  static final long PACING_FLOOR = 12_500_000;

  private final Ukcp ukcp;
  private final Object kcp;
  private final Field srtt;
  private final Field sndNxt;
  private final Collection<?> sndBuf;
  private final KcpSendWindow window;
  private final KcpPacingRate pacing = new KcpPacingRate();
  private final KcpPacer pacer;
  private final KcpLostResends lostResends;

  /**
   * @param maxSegments the configured send window, which the adapted one never exceeds
   * @param later runs a task about a millisecond later on the conversation's event loop (the pacer's)
   */
  KcpRuntimeTuning(Ukcp ukcp, int maxSegments, LongSupplier nanoClock, Consumer<Runnable> later)
      throws ReflectiveOperationException {
    this.ukcp = ukcp;
    this.kcp = KcpInternals.field(Ukcp.class, "kcp").get(ukcp);
    this.srtt = KcpInternals.field(kcp.getClass(), "rxSrtt");
    this.sndNxt = KcpInternals.field(kcp.getClass(), "sndNxt");
    this.sndBuf = (Collection<?>) KcpInternals.field(kcp.getClass(), "sndBuf").get(kcp);
    Field output = KcpInternals.field(kcp.getClass(), "output");
    this.pacer = new KcpPacer(new KcpThinCopies((KcpOutput) output.get(kcp), nanoClock), nanoClock, later);
    output.set(kcp, pacer);
    this.window = new KcpSendWindow(maxSegments);
    this.lostResends = new KcpLostResends(kcp, sndBuf);
    ukcp.setSndWnd(window.next(0, 0, 0));
  }

  /** One update interval passed; {@code nowMillis} on any monotonic clock. */
  void tick(int nowMillis) throws IllegalAccessException {
    KcpRtoFloor.adjust(ukcp);
    int rtt = srtt.getInt(kcp);
    lostResends.check(rtt);
    int waiting = ukcp.waitSnd();
    long delivered = (sndNxt.getLong(kcp) - sndBuf.size()) * KcpSettings.MTU;
    int next = window.next(nowMillis, rtt, waiting);
    if (next != ukcp.getSndWnd()) {
      ukcp.setSndWnd(next);
    }
    // Never slower than the smallest window per round trip, nor than PACING_FLOOR: a bad estimate
    // (a delivery rate lowered by the pacer's own queue, which also lengthens the RTT) must not
    // stall a link.
    long floor = rtt <= 0 ? 0
        : Math.max(PACING_FLOOR, (long) KcpSendWindow.MIN_SEGMENTS * KcpSettings.MTU * 1000 / rtt);
    pacer.rate(pacing.next(nowMillis, rtt, delivered, waiting > KcpRtoFloor.BULK_SEGMENTS, floor));
  }

  /** The conversation closed: nothing paced any more (kcp-netty may still flush it a while). */
  void closed() {
    pacer.rate(0);
  }

  /** Tunes {@code channel}'s conversation every update interval until it closes. */
  static void install(UkcpChannel channel, int maxSegments) {
    KcpRuntimeTuning tuning;
    try {
      Ukcp ukcp = (Ukcp) KcpInternals.field(channel.getClass(), "ukcp").get(channel);
      tuning = new KcpRuntimeTuning(ukcp, maxSegments, System::nanoTime,
          task -> channel.eventLoop().schedule(task, 1, TimeUnit.MILLISECONDS));
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn("cannot reach kcp-netty's conversation; its window and RTO stay fixed, unpaced", e);
      return;
    }
    Channel ch = channel;
    ScheduledFuture<?> ticking = ch.eventLoop().scheduleWithFixedDelay(() -> {
      if (ch.isOpen()) {
        try {
          tuning.tick((int) (System.nanoTime() / 1_000_000));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e); // setAccessible succeeded above: cannot happen
        }
      }
    }, KcpSettings.INTERVAL_MILLIS, KcpSettings.INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    ch.closeFuture().addListener(f -> {
      ticking.cancel(false);
      tuning.closed();
    });
  }
}
