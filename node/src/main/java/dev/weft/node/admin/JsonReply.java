package dev.weft.node.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.weft.node.Json;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Map;

/** Writes JSON responses; errors are always {@code {"error": "..."}}. */
final class JsonReply {
  private JsonReply() {}

  static void send(ChannelHandlerContext ctx, HttpResponseStatus status, Object body,
      boolean keepAlive) {
    write(ctx, response(status, body), keepAlive);
  }

  private static FullHttpResponse response(HttpResponseStatus status, Object body) {
    byte[] bytes;
    try {
      bytes = body == null ? new byte[0] : Json.mapper().writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + body.getClass().getSimpleName(), e);
    }
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.wrappedBuffer(bytes));
    if (body != null) {
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    }
    return response;
  }

  /** Sends a complete response (its content length set here), then keeps or closes the connection. */
  static void write(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
    if (keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(response);
    } else {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  static void error(ChannelHandlerContext ctx, HttpResponseStatus status, String message,
      boolean keepAlive) {
    send(ctx, status, body(status, message), keepAlive);
  }

  /**
   * Answers a request whose body is still arriving: closing at once would reset the connection
   * under the unread bytes and the client would see "connection reset", not the answer. Only the
   * sending side closes; the rest of the body is read and dropped until the client closes or the
   * request deadline does.
   */
  static void errorWhileReceiving(ChannelHandlerContext ctx, HttpResponseStatus status,
      String message) {
    FullHttpResponse response = response(status, body(status, message));
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(response).addListener(written -> {
      if (ctx.channel() instanceof DuplexChannel duplex) {
        duplex.shutdownOutput();
      } else {
        ctx.close();
      }
    });
  }

  private static Map<String, String> body(HttpResponseStatus status, String message) {
    return Map.of("error", message == null ? status.reasonPhrase() : message);
  }
}
