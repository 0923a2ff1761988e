package dev.weft.node.admin;

import dev.weft.identity.Identity;
import dev.weft.mux.Session;
import dev.weft.node.SessionBridge;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /ws/sessions?peer=PEER&service=SERVICE}: opens a session to the peer's service and,
 * once it is open, upgrades the connection to a WebSocket bridged to it ({@link WebSocketBridge}).
 * Anything wrong (no upgrade, a foreign origin, a bad peer, a refused session) is an HTTP error.
 */
final class WebSocketRoute {
  static final String PATH = "/ws/sessions";
  /** The subprotocol the server selects: the only one it ever echoes. */
  static final String PROTOCOL = "weft";
  /** A browser, which cannot set headers on a WebSocket, offers the token as this subprotocol. */
  static final String TOKEN_PROTOCOL = "weft.token.";
  /**
   * A client's frames are at most this long: a frame is held whole before it goes on, and it
   * must fit in a session's write queue beside what one socket read brings.
   */
  static final int MAX_FRAME = 256 * 1024;
  private static final WebSocketServerHandshakerFactory HANDSHAKERS =
      new WebSocketServerHandshakerFactory(PATH, PROTOCOL,
          WebSocketDecoderConfig.newBuilder().maxFramePayloadLength(MAX_FRAME).build());

  private WebSocketRoute() {}

  /**
   * For {@link AdminHandler}'s authentication: the bearer credential of a WebSocket upgrade that
   * offers its token as a subprotocol, else null.
   */
  static String offeredBearer(HttpRequest request) {
    if (!"websocket".equalsIgnoreCase(request.headers().get(HttpHeaderNames.UPGRADE))) {
      return null;
    }
    return offered(request).stream().filter(p -> p.startsWith(TOKEN_PROTOCOL)).findFirst()
        .map(p -> "Bearer " + p.substring(TOKEN_PROTOCOL.length())).orElse(null);
  }

  private static List<String> offered(HttpRequest request) {
    return request.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL).stream()
        .flatMap(header -> Arrays.stream(header.split(","))).map(String::trim).toList();
  }

  /** Answers an authenticated request for this route. */
  static void start(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri,
      NodeControl node, AllowedOrigins origins) {
    String origin = request.headers().get(HttpHeaderNames.ORIGIN);
    if (origin != null && !(ctx.channel().localAddress() instanceof InetSocketAddress local
        && origins.allows(origin, local))) {
      JsonReply.error(ctx, HttpResponseStatus.FORBIDDEN,
          "origin " + origin + " may not open WebSockets here; allow it with --admin-origin", false);
      return;
    }
    String refusal = refusal(request);
    if (refusal != null) {
      JsonReply.error(ctx, HttpResponseStatus.BAD_REQUEST, refusal, false);
      return;
    }
    WebSocketServerHandshaker handshaker = HANDSHAKERS.newHandshaker(request);
    if (handshaker == null) {
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel())
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    CompletionStage<Session> opening;
    try {
      opening = node.open(Identity.parse(require(uri, "peer")), require(uri, "service"));
    } catch (RuntimeException e) {
      AdminHandler.fail(ctx, e, false);
      return;
    }
    FullHttpRequest handshake = request.replace(Unpooled.EMPTY_BUFFER); // outlives this request
    SessionBridge.configure(ctx.channel()); // no reading until the bridge joins
    opening.whenComplete((session, error) -> ctx.executor().execute(() -> {
      if (error != null) {
        AdminHandler.fail(ctx, error, false);
      } else if (!ctx.channel().isActive()) {
        session.reset("the WebSocket client went away before the session opened");
      } else {
        upgrade(ctx, handshaker, handshake, session);
      }
    }));
  }

  private static void upgrade(ChannelHandlerContext ctx, WebSocketServerHandshaker handshaker,
      FullHttpRequest request, Session session) {
    ctx.pipeline().remove(RequestDeadline.class); // it would cut the socket after the 101
    handshaker.handshake(ctx.channel(), request).addListener(done -> {
      if (done.isSuccess()) {
        ctx.pipeline().remove(ctx.handler());
        WebSocketBridge.join(ctx.channel(), session);
      } else {
        session.reset("the WebSocket handshake failed: " + done.cause().getMessage());
        ctx.close();
      }
    });
  }

  /** Why the request cannot become a WebSocket, or null. */
  private static String refusal(FullHttpRequest request) {
    if (!"websocket".equalsIgnoreCase(request.headers().get(HttpHeaderNames.UPGRADE))
        || !request.headers().contains(HttpHeaderNames.SEC_WEBSOCKET_KEY)) {
      return PATH + " needs a WebSocket upgrade (Upgrade: websocket, Sec-WebSocket-Key)";
    }
    List<String> protocols = offered(request);
    if (!protocols.isEmpty() && !protocols.contains(PROTOCOL)) {
      return "offer the subprotocol " + PROTOCOL + " (beside " + TOKEN_PROTOCOL + "TOKEN, if used)";
    }
    return null;
  }

  private static String require(QueryStringDecoder uri, String name) {
    List<String> values = uri.parameters().get(name);
    if (values == null || values.isEmpty() || values.get(0).isEmpty()) {
      throw new IllegalArgumentException("query parameter " + name + " is missing");
    }
    return values.get(0);
  }
}
