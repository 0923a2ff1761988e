package dev.weft.node.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.node.Event;
import dev.weft.node.Json;
import dev.weft.node.Subscription;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A server-sent-events response that follows the node's events until the client goes away. It
 * writes only while the socket is writable; a client that stops reading loses events to its
 * bounded subscription, and is told by an {@code overflow} event.
 */
final class EventFeed extends ChannelInboundHandlerAdapter {
  private final Subscription subscription;
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private ChannelHandlerContext ctx;

  private EventFeed(Subscription subscription) {
    this.subscription = subscription;
  }

  /** Answers the request on {@code ctx}'s channel with an endless event stream. */
  static void start(ChannelHandlerContext ctx, Subscription subscription) {
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
    head.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
    HttpUtil.setTransferEncodingChunked(head, true);
    ctx.writeAndFlush(head);
    ctx.pipeline().addLast("events", new EventFeed(subscription));
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    subscription.onAvailable(this::scheduleDrain);
    scheduleDrain();
  }

  private void scheduleDrain() {
    if (drainScheduled.compareAndSet(false, true)) {
      ctx.executor().execute(this::drain);
    }
  }

  private void drain() {
    drainScheduled.set(false);
    boolean wrote = false;
    Event event;
    while (ctx.channel().isWritable() && (event = subscription.poll()) != null) {
      ctx.write(new DefaultHttpContent(frame(event)));
      wrote = true;
    }
    if (wrote) {
      ctx.flush();
    }
  }

  private ByteBuf frame(Event event) {
    JsonNode json = Json.mapper().valueToTree(event);
    String text = "event: " + json.path("type").asText() + "\ndata: " + json + "\n\n";
    return ctx.alloc().buffer().writeBytes(text.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      scheduleDrain();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg); // the client has nothing more to say on this connection
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    subscription.close();
    ctx.fireChannelInactive();
  }
}
