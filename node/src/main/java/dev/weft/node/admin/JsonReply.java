package dev.weft.node.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.weft.node.Json;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
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
    write(ctx, response, keepAlive);
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
    send(ctx, status, Map.of("error", message == null ? status.reasonPhrase() : message), keepAlive);
  }
}
