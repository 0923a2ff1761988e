package dev.weft.link;

import io.jpower.kcp.netty.UkcpClientChannel;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works around kcp-netty 1.5.2 losing a client's socket errors: its KCP channel sends through a
 * hidden UDP channel whose pipeline is empty, so a send that fails (PortUnreachableException once
 * the peer's port has closed) ended up as a warning with a stack trace at that pipeline's tail, for
 * every segment sent, and the stream lived on until its idle timeout. Installed on that hidden
 * channel (reached by reflection, as {@link KcpCloseWaits} does), this passes each error to the KCP
 * channel's own pipeline, where the stream closes with the transport's reason.
 */
final class KcpSocketErrors extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(KcpSocketErrors.class);

  private final Channel kcp;
  private boolean reported;

  private KcpSocketErrors(Channel kcp) {
    this.kcp = kcp;
  }

  static void install(UkcpClientChannel kcp) {
    try {
      Field udpField = UkcpClientChannel.class.getDeclaredField("udpChannel");
      udpField.setAccessible(true);
      ((Channel) udpField.get(kcp)).pipeline().addLast("errors", new KcpSocketErrors(kcp));
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn("cannot watch kcp-netty's UDP socket for errors; a lost peer is noticed by the idle timeout", e);
    }
  }

  /**
   * Passed on in a later task, once: the error surfaces inside KCP's flush, and closing the stream
   * there would free the segments that flush is still sending.
   */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (reported || !kcp.isOpen()) {
      log.debug("{}: further socket error: {}", kcp, cause.toString());
      return;
    }
    reported = true;
    kcp.eventLoop().execute(() -> kcp.pipeline().fireExceptionCaught(cause));
  }
}
