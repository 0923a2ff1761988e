package dev.weft.node.admin;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The metrics listener's one route: {@code GET /metrics}, no token; anything else is refused. */
final class MetricsHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsHandler.class);

  private final Supplier<byte[]> scrape;

  MetricsHandler(Supplier<byte[]> scrape) {
    this.scrape = scrape;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    if (!request.decoderResult().isSuccess()) {
      JsonReply.error(ctx, HttpResponseStatus.BAD_REQUEST,
          "malformed HTTP request: " + request.decoderResult().cause().getMessage(), false);
    } else if (!new QueryStringDecoder(request.uri()).path().equals("/metrics")) {
      JsonReply.error(ctx, HttpResponseStatus.NOT_FOUND, "this listener serves only /metrics", keepAlive);
    } else if (!request.method().equals(HttpMethod.GET)) {
      JsonReply.error(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED,
          request.method() + " not allowed on /metrics; use GET", keepAlive);
    } else {
      MetricsReply.send(ctx, scrape.get(), keepAlive);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("metrics connection {} failed", ctx.channel().remoteAddress(), cause);
    ctx.close();
  }
}
