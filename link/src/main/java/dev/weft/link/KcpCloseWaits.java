package dev.weft.link;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works around a kcp-netty 1.5.2 leak: a closed server child whose last segments are not yet
 * ACKed is parked in the server channel's {@code closeWaitKcpMap} for up to 5 s, and closing the
 * server channel abandons those entries without releasing their buffers. When the listening
 * channel goes inactive this releases them the way kcp-netty's own close-wait timer does
 * ({@code Ukcp.setKcpClosed()}), reached by reflection (same unnamed module, no JVM flags).
 */
final class KcpCloseWaits extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(KcpCloseWaits.class);

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    release(ctx.channel());
    ctx.fireChannelInactive();
  }

  private static void release(Object serverChannel) {
    try {
      Field mapField = serverChannel.getClass().getDeclaredField("closeWaitKcpMap");
      mapField.setAccessible(true);
      Map<?, ?> closeWaits = (Map<?, ?>) mapField.get(serverChannel);
      for (Object closeWait : closeWaits.values()) {
        Field ukcpField = closeWait.getClass().getDeclaredField("ukcp");
        ukcpField.setAccessible(true);
        Object ukcp = ukcpField.get(closeWait);
        Method setKcpClosed = ukcp.getClass().getDeclaredMethod("setKcpClosed");
        setKcpClosed.setAccessible(true);
        setKcpClosed.invoke(ukcp);
      }
      closeWaits.clear();
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn("cannot release kcp-netty close-wait state; its buffers may leak", e);
    }
  }
}
