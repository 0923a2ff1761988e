package dev.weft.node.admin;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Aggregates request bodies up to a limit; larger ones get a JSON 413, the rest of the body is
 * dropped unread and the connection closes.
 */
final class BodyLimit extends HttpObjectAggregator {
  private final int maxBytes;

  BodyLimit(int maxBytes) {
    super(maxBytes);
    this.maxBytes = maxBytes;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    JsonReply.errorWhileReceiving(ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
        "request body exceeds " + maxBytes + " bytes");
  }
}
