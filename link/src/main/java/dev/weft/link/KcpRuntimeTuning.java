package dev.weft.link;

import io.jpower.kcp.netty.Ukcp;
import io.jpower.kcp.netty.UkcpChannel;
import io.netty.channel.Channel;
import java.lang.reflect.Field;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What weft changes in one KCP conversation as it runs, every update interval: its minimum RTO
 * ({@link KcpRtoFloor}) and its send window ({@link KcpSendWindow}). kcp-netty offers no hook for
 * either, and keeps the conversation and its RTT private, so both are reached by reflection, as
 * {@link KcpSocketErrors} does. Confined to the conversation's event loop.
 */
final class KcpRuntimeTuning {
  private static final Logger log = LoggerFactory.getLogger(KcpRuntimeTuning.class);

  private final Ukcp ukcp;
  private final Object kcp;
  private final Field srtt;
  private final KcpSendWindow window;

  /** @param maxSegments the configured send window, which the adapted one never exceeds */
  KcpRuntimeTuning(Ukcp ukcp, int maxSegments) throws ReflectiveOperationException {
    this.ukcp = ukcp;
    Field field = Ukcp.class.getDeclaredField("kcp");
    field.setAccessible(true);
    this.kcp = field.get(ukcp);
    this.srtt = kcp.getClass().getDeclaredField("rxSrtt");
    srtt.setAccessible(true);
    this.window = new KcpSendWindow(maxSegments);
    ukcp.setSndWnd(window.next(0, 0, 0));
  }

  /** One update interval passed; {@code nowMillis} on any monotonic clock. */
  void tick(int nowMillis) throws IllegalAccessException {
    KcpRtoFloor.adjust(ukcp);
    int next = window.next(nowMillis, srtt.getInt(kcp), ukcp.waitSnd());
    if (next != ukcp.getSndWnd()) {
      ukcp.setSndWnd(next);
    }
  }

  /** Tunes {@code channel}'s conversation every update interval until it closes. */
  static void install(UkcpChannel channel, int maxSegments) {
    KcpRuntimeTuning tuning;
    try {
      Field field = channel.getClass().getDeclaredField("ukcp");
      field.setAccessible(true);
      tuning = new KcpRuntimeTuning((Ukcp) field.get(channel), maxSegments);
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn("cannot reach kcp-netty's conversation; its window and RTO stay fixed", e);
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
    ch.closeFuture().addListener(f -> ticking.cancel(false));
  }
}
