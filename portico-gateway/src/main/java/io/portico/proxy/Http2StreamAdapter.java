package io.portico.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits between {@code Http2StreamFrameToHttpObjectCodec} and the stream's {@link DownstreamHandler}
 * and smooths the two differences between an HTTP/2 stream converted to HTTP/1.1 objects and a real
 * HTTP/1.1 request, so that the exchange needs no HTTP/2 branches:
 *
 * <ul>
 *   <li>inbound, the codec's own {@code x-http2-*} headers (stream id, scheme, path) are removed,
 *       so they are neither counted, seen by plugins nor forwarded upstream;
 *   <li>outbound, a response to {@code HEAD} carries no body: the HTTP/1.1 codec drops it by
 *       itself, the HTTP/2 codec would send it as DATA.
 * </ul>
 *
 * <p>Stream frames the codec leaves as they are (unknown frame types, which a receiver must ignore)
 * end here. So do the stream's errors that reach the pipeline: a frame the codec found malformed (a
 * body longer or shorter than its {@code content-length}, a forbidden field) or a head the
 * conversion to HTTP/1.1 refused. Each is answered with RST_STREAM carrying its own error code,
 * PROTOCOL_ERROR unless the codec named another, and logged at DEBUG: never with CANCEL, which
 * would hide the reset from {@code http2-max-resets-per-window}, and never as a warning with a
 * stack trace, since the client is at fault. The exchange sees only its stream close.
 *
 * <p>One per stream, confined to the stream's event loop.
 */
final class Http2StreamAdapter extends ChannelDuplexHandler {

  private static final Logger log = LoggerFactory.getLogger(Http2StreamAdapter.class);

  private boolean head;
  private boolean responseHeadWritten;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof HttpObject)) {
      // A frame the codec does not convert (an unknown type): nothing to proxy, and
      // the exchange would take it for the start of a pipelined request.
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest request) {
      head = request.method().equals(HttpMethod.HEAD);
      HttpHeaders headers = request.headers();
      for (HttpConversionUtil.ExtensionHeaderNames name :
          HttpConversionUtil.ExtensionHeaderNames.values()) {
        headers.remove(name.text());
      }
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Http2Exception http2 = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
    if (http2 == null && !(cause instanceof DecoderException)) {
      ctx.fireExceptionCaught(cause);
      return;
    }
    Http2Error error = http2 == null ? Http2Error.PROTOCOL_ERROR : http2.error();
    log.debug(
        "HTTP/2 stream of {} reset with {}: {}",
        ctx.channel().parent().remoteAddress(),
        error,
        cause.toString());
    if (ctx.channel().isActive()) {
      ctx.writeAndFlush(new DefaultHttp2ResetFrame(error));
      ctx.close();
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!head) {
      ctx.write(msg, promise);
      return;
    }
    if (msg instanceof HttpResponse response && response.status().code() >= 200) {
      responseHeadWritten = true;
      if (msg instanceof FullHttpResponse full && full.content().isReadable()) {
        FullHttpResponse bodyless = full.replace(Unpooled.EMPTY_BUFFER);
        full.release();
        ctx.write(bodyless, promise);
        return;
      }
    } else if (responseHeadWritten && msg instanceof HttpContent content) {
      content.release();
      if (msg instanceof LastHttpContent) {
        ctx.write(LastHttpContent.EMPTY_LAST_CONTENT, promise);
      } else {
        promise.trySuccess();
      }
      return;
    }
    ctx.write(msg, promise);
  }
}
