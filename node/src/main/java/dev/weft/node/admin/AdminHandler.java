package dev.weft.node.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.weft.mux.Session;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Authenticates each request, dispatches it to its route and answers with JSON. */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
  static final int EVENT_QUEUE = 4096;

  private final Routes routes;
  private final NodeControl node;
  private final byte[] expectedAuthorization;
  private final DashboardLogins logins;
  private final AllowedOrigins origins;

  AdminHandler(Routes routes, NodeControl node, String token, DashboardLogins logins,
      AllowedOrigins origins) {
    this.routes = routes;
    this.node = node;
    this.origins = origins;
    this.expectedAuthorization = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    this.logins = logins;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    if (!request.decoderResult().isSuccess()) {
      JsonReply.error(ctx, HttpResponseStatus.BAD_REQUEST,
          "malformed HTTP request: " + request.decoderResult().cause().getMessage(), false);
      return;
    }
    if (!authorized(request)) {
      JsonReply.error(ctx, HttpResponseStatus.UNAUTHORIZED,
          "missing or wrong bearer token (see the admin file in the data directory), or a"
              + " dashboard cookie on a request that changes something from another origin",
          keepAlive);
      return;
    }
    QueryStringDecoder uri = new QueryStringDecoder(request.uri());
    if (request.method().equals(HttpMethod.GET) && uri.path().equals("/events")) {
      events(ctx, uri, keepAlive);
      return;
    }
    if (request.method().equals(HttpMethod.GET) && uri.path().equals("/metrics")) {
      MetricsReply.send(ctx, node.metrics(), keepAlive);
      return;
    }
    if (request.method().equals(HttpMethod.POST) && uri.path().equals("/connect")) {
      connect(ctx, ByteBufUtil.getBytes(request.content()));
      return;
    }
    if (request.method().equals(HttpMethod.GET) && uri.path().equals(WebSocketRoute.PATH)) {
      WebSocketRoute.start(ctx, request, uri, node, origins);
      return;
    }
    Routes.Match match = routes.match(request.method(), uri.path());
    if (match instanceof Routes.Found found) {
      Call call = new Call(found.params(), uri.parameters(), ByteBufUtil.getBytes(request.content()));
      run(ctx, found, call, keepAlive);
    } else if (match instanceof Routes.WrongMethod wrong) {
      JsonReply.error(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, request.method()
          + " not allowed on " + uri.path() + "; use "
          + wrong.allowed().stream().map(HttpMethod::name).collect(Collectors.joining(", ")),
          keepAlive);
    } else {
      JsonReply.error(ctx, HttpResponseStatus.NOT_FOUND, "no route " + uri.path(), keepAlive);
    }
  }

  private void events(ChannelHandlerContext ctx, QueryStringDecoder uri, boolean keepAlive) {
    boolean traffic;
    try {
      traffic = new Call(Map.of(), uri.parameters(), new byte[0]).flag("traffic");
    } catch (IllegalArgumentException e) {
      fail(ctx, e, keepAlive);
      return;
    }
    EventFeed.start(ctx, node.subscribe(EVENT_QUEUE, traffic));
  }

  private void connect(ChannelHandlerContext ctx, byte[] body) {
    CompletionStage<Session> opening;
    try {
      AdminApi.ConnectRequest request = new Call(Map.of(), Map.of(), body)
          .body(AdminApi.ConnectRequest.class);
      opening = node.open(AdminApi.require(request.peer(), "peer"),
          AdminApi.require(request.service(), "service"));
    } catch (Exception e) {
      fail(ctx, e, false);
      return;
    }
    opening.whenComplete((session, error) -> ctx.executor().execute(() -> {
      if (error != null) {
        fail(ctx, error, false);
      } else if (!ctx.channel().isActive()) {
        session.reset("the admin client went away before the session opened");
      } else {
        SessionPipe.start(ctx, session);
      }
    }));
  }

  private void run(ChannelHandlerContext ctx, Routes.Found found, Call call, boolean keepAlive) {
    CompletionStage<?> reply;
    try {
      reply = found.handler().handle(call);
    } catch (Exception e) {
      fail(ctx, e, keepAlive);
      return;
    }
    reply.whenComplete((value, error) -> ctx.executor().execute(() -> {
      if (error != null) {
        fail(ctx, error, keepAlive);
      } else if (value == null) {
        JsonReply.send(ctx, HttpResponseStatus.NO_CONTENT, null, keepAlive);
      } else {
        JsonReply.send(ctx, HttpResponseStatus.OK, value, keepAlive);
      }
    }));
  }

  static void fail(ChannelHandlerContext ctx, Throwable error, boolean keepAlive) {
    Throwable cause = FutureFailure.cause(error);
    HttpResponseStatus status = statusOf(cause);
    String message = cause instanceof JsonProcessingException json
        ? "malformed JSON body: " + json.getOriginalMessage()
        : cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    if (status.equals(HttpResponseStatus.INTERNAL_SERVER_ERROR)) {
      LOG.warn("admin request failed unexpectedly", cause);
    } else {
      LOG.debug("admin request failed: {}", message);
    }
    JsonReply.error(ctx, status, message, keepAlive);
  }

  private static HttpResponseStatus statusOf(Throwable cause) {
    if (cause instanceof IllegalArgumentException || cause instanceof JsonProcessingException) {
      return HttpResponseStatus.BAD_REQUEST;
    }
    if (cause instanceof NoSuchElementException) {
      return HttpResponseStatus.NOT_FOUND;
    }
    if (cause instanceof IllegalStateException) {
      return HttpResponseStatus.CONFLICT;
    }
    if (cause instanceof TimeoutException) {
      return HttpResponseStatus.GATEWAY_TIMEOUT;
    }
    return cause instanceof RuntimeException
        ? HttpResponseStatus.INTERNAL_SERVER_ERROR
        : HttpResponseStatus.BAD_GATEWAY;
  }

  /**
   * The bearer header (for a WebSocket upgrade also the token offered as a subprotocol), or the
   * dashboard's session cookie (same-origin for changes).
   */
  private boolean authorized(FullHttpRequest request) {
    String given = request.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (given == null) {
      given = WebSocketRoute.offeredBearer(request);
    }
    return given != null
        && MessageDigest.isEqual(expectedAuthorization, given.getBytes(StandardCharsets.UTF_8))
        || logins.admits(request);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("admin connection {} failed", ctx.channel().remoteAddress(), cause);
    ctx.close();
  }
}
