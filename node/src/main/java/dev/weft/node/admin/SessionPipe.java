package dev.weft.node.admin;

import dev.weft.mux.Session;
import dev.weft.node.TcpBridge;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Turns an admin connection into a raw pipe to a session ({@code POST /connect}): the response
 * head has no length, then the socket carries the session's bytes both ways.
 */
final class SessionPipe {
  private SessionPipe() {}

  static void start(ChannelHandlerContext ctx, Session session) {
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
    SocketChannel channel = (SocketChannel) ctx.channel();
    TcpBridge.configure(channel);
    ctx.writeAndFlush(head);
    ChannelPipeline pipeline = ctx.pipeline();
    pipeline.remove(HttpServerCodec.class);
    pipeline.remove(BodyLimit.class);
    pipeline.remove(ctx.handler());
    TcpBridge.join(channel, session);
  }
}
