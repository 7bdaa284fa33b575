package io.portico.upstream.h2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import io.portico.upstream.KeptHeaders;
import org.jspecify.annotations.Nullable;

/**
 * The peer's frames of a stream, each handed to the stream's {@link H2Stream} as the HTTP/1.1
 * objects the upstream call reads ({@link H2Messages}): a response head, its body's contents, its
 * trailers, a reset. Frames of a stream no longer leased are dropped (their window goes back at
 * once); a stream the server opens is refused. {@link H2Connection} adds the connection's own
 * frames. Runs on the connection's event loop.
 */
class H2StreamFrames extends Http2FrameAdapter {

  private final H2Connection connection;

  /** A response head given back by the exchange it answered, for the next head decoded. */
  private @Nullable H2Response spare;

  H2StreamFrames(H2Connection connection) {
    this.connection = connection;
  }

  /** The spare response head with {@code status} and no fields, or a new one. */
  H2Response response(HttpResponseStatus status) {
    H2Response r = spare;
    if (r == null) {
      return new H2Response(this, status);
    }
    spare = null;
    r.setStatus(status);
    return r;
  }

  /** {@code response}, made here, can be decoded into again: its fields are emptied. */
  void giveBack(H2Response response) {
    KeptHeaders.empty(response.headers());
    spare = response;
  }

  boolean onItsEventLoop() {
    return connection.channel().eventLoop().inEventLoop();
  }

  @Override
  public int onDataRead(
      ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
    H2Stream s = connection.lease(streamId);
    if (s == null) {
      return data.readableBytes() + padding;
    }
    int bytes = data.readableBytes();
    data.retain();
    s.onContent(endOfStream ? H2Messages.end(data) : new DefaultHttpContent(data), bytes);
    // The padding's window goes back at once; the data's when the client took it.
    return padding;
  }

  @Override
  public void onHeadersRead(
      ChannelHandlerContext ctx,
      int streamId,
      Http2Headers headers,
      int padding,
      boolean endOfStream)
      throws Http2Exception {
    H2Stream s = connection.lease(streamId);
    if (s == null) {
      Http2Stream stream = connection.connection().stream(streamId);
      if (stream != null && streamId % 2 == 0) {
        // A stream the server opened (push is off): refused.
        connection.resetStream(ctx, streamId, Http2Error.REFUSED_STREAM.code(), ctx.voidPromise());
      }
      return;
    }
    if (headers.status() == null) {
      if (endOfStream) {
        s.onContent(H2Messages.trailers(streamId, headers), 0);
      }
      return;
    }
    if (H2Messages.informational(headers)) {
      s.onHead(H2Messages.responseHead(streamId, headers, false, this));
      return;
    }
    s.onHead(H2Messages.responseHead(streamId, headers, endOfStream, this));
    if (endOfStream) {
      // A response in one HEADERS frame (a 204, a gRPC trailers-only answer): its end follows.
      s.onContent(H2Messages.end(Unpooled.EMPTY_BUFFER), 0);
    }
  }

  @Override
  public void onHeadersRead(
      ChannelHandlerContext ctx,
      int streamId,
      Http2Headers headers,
      int streamDependency,
      short weight,
      boolean exclusive,
      int padding,
      boolean endOfStream)
      throws Http2Exception {
    onHeadersRead(ctx, streamId, headers, padding, endOfStream);
  }

  @Override
  public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
    H2Stream s = connection.lease(streamId);
    if (s != null) {
      s.onReset(errorCode);
    }
  }
}
