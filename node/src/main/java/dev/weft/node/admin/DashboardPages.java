package dev.weft.node.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard's pages, ahead of the API: its static files (from the jar; they hold no secret,
 * so they need no login) and {@code /login}, which trades a login code for the session cookie.
 * Every other request passes on to the API's handler.
 */
final class DashboardPages extends SimpleChannelInboundHandler<FullHttpRequest> {
  private record Asset(byte[] bytes, String type) {}

  /** The page may load only its own files and talk only to its own node, and never be framed. */
  private static final String POLICY = "default-src 'self'; img-src 'self' data:; "
      + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
  private static final Map<String, Asset> FILES = Map.of(
      "/", asset("index.html", "text/html; charset=utf-8"),
      "/ui/app.js", asset("app.js", "text/javascript; charset=utf-8"),
      "/ui/style.css", asset("style.css", "text/css; charset=utf-8"),
      "/ui/vendor/preact.module.js", asset("vendor/preact.module.js", "text/javascript; charset=utf-8"),
      "/ui/vendor/htm.module.js", asset("vendor/htm.module.js", "text/javascript; charset=utf-8"));

  private final DashboardLogins logins;

  DashboardPages(DashboardLogins logins) {
    super(false);
    this.logins = logins;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    QueryStringDecoder uri = new QueryStringDecoder(request.uri());
    boolean get = request.method().equals(HttpMethod.GET);
    if (!request.decoderResult().isSuccess() || !get
        || !(uri.path().equals("/login") || FILES.containsKey(uri.path()))) {
      ctx.fireChannelRead(request);
      return;
    }
    try {
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      if (uri.path().equals("/login")) {
        login(ctx, uri.parameters().getOrDefault("code", List.of()), keepAlive);
      } else {
        Asset asset = FILES.get(uri.path());
        FullHttpResponse response = response(HttpResponseStatus.OK, asset.bytes());
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, asset.type());
        JsonReply.write(ctx, response, keepAlive);
      }
    } finally {
      ReferenceCountUtil.release(request);
    }
  }

  private void login(ChannelHandlerContext ctx, List<String> code, boolean keepAlive) {
    Optional<String> cookie = code.size() == 1 ? logins.redeem(code.get(0)) : Optional.empty();
    if (cookie.isEmpty()) {
      JsonReply.error(ctx, HttpResponseStatus.UNAUTHORIZED,
          "this login code is unknown, used or expired; run: weft dashboard", keepAlive);
      return;
    }
    // 303 to "/": the address bar and history no longer hold the code.
    FullHttpResponse response = response(HttpResponseStatus.SEE_OTHER, new byte[0]);
    response.headers().set(HttpHeaderNames.LOCATION, "/");
    response.headers().set(HttpHeaderNames.SET_COOKIE, cookie.get());
    JsonReply.write(ctx, response, keepAlive);
  }

  private static FullHttpResponse response(HttpResponseStatus status, byte[] body) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.wrappedBuffer(body));
    response.headers()
        .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
        .set(HttpHeaderNames.CONTENT_SECURITY_POLICY, POLICY)
        .set("X-Content-Type-Options", "nosniff")
        .set("X-Frame-Options", "DENY")
        .set("Referrer-Policy", "no-referrer");
    return response;
  }

  private static Asset asset(String name, String type) {
    try (InputStream in = DashboardPages.class.getResourceAsStream("/dev/weft/node/dashboard/" + name)) {
      if (in == null) {
        throw new IllegalStateException("the dashboard's " + name + " is missing from the jar");
      }
      return new Asset(in.readAllBytes(), type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
