package io.portico.upstream.h2;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import io.portico.eventloop.DeadlineTimer;
import io.portico.upstream.Endpoint;
import io.portico.upstream.UnprocessedException;
import io.portico.upstream.UpstreamLease;
import io.portico.upstream.UpstreamListener;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP/2 stream to an upstream: the last handler of a stream channel, after Netty's {@code
 * Http2StreamFrameToHttpObjectCodec}, and the {@link UpstreamLease} its call holds. The call writes
 * HTTP/1.1 objects, which the codec turns into HEADERS and DATA frames (a {@code LastHttpContent}'s
 * trailers into a closing HEADERS frame); the response comes back the same way, without the codec's
 * own {@code x-http2-stream-id} header.
 *
 * <p>Flow control: the stream channel's writability follows the stream's send window and its
 * connection's writability, and a stream channel that is not read returns no window to the
 * upstream, so {@code autoRead} off (a slow client) stops the upstream's stream after one window.
 *
 * <p>Ending: a stream whose both messages completed closes by itself; {@link #release} with
 * anything less resets it ({@code RST_STREAM CANCEL}), leaving the connection to other streams.
 * When it closes unanswered because the upstream went away without processing it (a {@code GOAWAY}
 * whose last stream id is below it, {@code REFUSED_STREAM}, or no stream created on a connection
 * already going away), the listener is told with an {@link UnprocessedException}, so the call may
 * retry it on another connection.
 *
 * <p>Confined to its event loop.
 */
public final class H2Stream extends ChannelDuplexHandler implements UpstreamLease {

  private static final String GRPC = "application/grpc";

  private final H2Connection connection;
  private final boolean reused;
  private @Nullable UpstreamListener listener;
  private Http2StreamChannel channel;
  private DeadlineTimer timer;
  private boolean unprocessed;
  private boolean responseEnded;
  private boolean closed;
  private @Nullable Throwable cause;

  H2Stream(H2Connection connection, UpstreamListener listener, boolean reused) {
    this.connection = connection;
    this.listener = listener;
    this.reused = reused;
  }

  @Override
  public Http2StreamChannel channel() {
    return channel;
  }

  @Override
  public Endpoint endpoint() {
    return connection.pool().endpoint();
  }

  @Override
  public boolean reused() {
    return reused;
  }

  @Override
  public long nanoTime() {
    return timer.now();
  }

  @Override
  public void armDeadline(long nanoTime) {
    timer.armAt(nanoTime);
  }

  @Override
  public void disarmDeadline() {
    timer.disarm();
  }

  @Override
  public void release(boolean reusable) {
    listener = null;
    timer.disarm();
    if (!(reusable && responseEnded) && channel.isActive()) {
      // Still open on either side: reset the stream, not the connection.
      channel.close();
    }
    if (!channel.config().isAutoRead()) {
      channel.config().setAutoRead(true);
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = (Http2StreamChannel) ctx.channel();
    timer = new DeadlineTimer(channel.eventLoop(), this::onDeadline);
  }

  private void onDeadline() {
    UpstreamListener l = listener;
    if (l != null) {
      l.onDeadline();
    }
  }

  /**
   * A gRPC request gets {@code TE: trailers} back, which the exchange removed with the other
   * hop-by-hop fields: gRPC servers expect it on every call, and HTTP/2 allows {@code TE} with that
   * value only.
   */
  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpRequest request) {
      String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
      if (type != null && type.regionMatches(true, 0, GRPC, 0, GRPC.length())) {
        request.headers().set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
      }
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    UpstreamListener l = listener;
    if (l == null || !(msg instanceof io.netty.handler.codec.http.HttpObject)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof LastHttpContent) {
      responseEnded = true;
    }
    if (msg instanceof HttpResponse response) {
      response.headers().remove(HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text());
      if (msg instanceof FullHttpResponse whole) {
        // A response in one HEADERS frame (a 204, a gRPC trailers-only answer): handed on as a
        // head and its end, so that nothing downstream writes the one object twice.
        HttpResponse head =
            new DefaultHttpResponse(whole.protocolVersion(), whole.status(), whole.headers());
        LastHttpContent end = new DefaultLastHttpContent(whole.content(), whole.trailingHeaders());
        l.onResponseHead(head);
        if (listener != null) {
          l.onResponseContent(end);
        } else {
          end.release();
        }
        return;
      }
      l.onResponseHead(response);
    } else {
      l.onResponseContent((HttpContent) msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    UpstreamListener l = listener;
    if (l != null) {
      l.onReadComplete();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    UpstreamListener l = listener;
    if (l != null) {
      l.onUpstreamWritabilityChanged(ctx.channel().isWritable());
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof Http2GoAwayFrame goAway) {
      // Sent only to the streams above the GOAWAY's last stream id: never processed.
      unprocessed = true;
      goAway.release();
      return;
    }
    if (evt instanceof Http2ResetFrame reset) {
      if (reset.errorCode() == Http2Error.REFUSED_STREAM.code()) {
        unprocessed = true;
      } else if (cause == null) {
        Http2Error error = Http2Error.valueOf(reset.errorCode());
        cause =
            new IOException(
                "the upstream reset the stream ("
                    + (error == null ? "error " + reset.errorCode() : error.name())
                    + ")");
      }
      return;
    }
    ReferenceCountUtil.release(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (this.cause == null) {
      this.cause = cause;
    }
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (closed) {
      return;
    }
    closed = true;
    timer.cancel();
    UpstreamListener l = listener;
    listener = null;
    boolean neverProcessed = unprocessed || connection.refusedByGoAway(channel.stream().id());
    connection.streamClosed();
    if (l != null) {
      l.onUpstreamClosed(
          neverProcessed
              ? new UnprocessedException(endpoint() + " did not process the stream")
              : cause);
    }
  }
}
