package io.portico.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.util.AsciiString;
import java.util.ArrayDeque;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP/1.1 codec of an upstream connection: Netty's request encoder and response decoder, with
 * what {@code HttpClientCodec} adds (the methods of the requests sent, so that a response to {@code
 * HEAD} has no body), and one thing it hides: {@link #unreadBytes()}, the bytes the decoder holds
 * that no message took. A connection with unread bytes after a complete response is out of step (an
 * upstream that sent a body after a response to {@code HEAD}, or more than its {@code
 * Content-Length}) and must not be reused.
 *
 * <p>The decoder takes the status line's words and the common header names from {@link
 * SharedResponseWords} when their bytes match, instead of making a new String or AsciiString per
 * response for them, and its trailers are {@link DeferredTrailers}, whose map is made only when a
 * response has trailers. The encoder writes request heads with bulk copies ({@link
 * RequestHeadWriter}), and a head's {@link EncodedFields} after its map's fields.
 *
 * <p>Used on the connection's event loop only. {@code CONNECT} is never sent upstream.
 */
final class UpstreamCodec
    extends CombinedChannelDuplexHandler<UpstreamCodec.Decoder, UpstreamCodec.Encoder> {

  private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);

  UpstreamCodec(HttpDecoderConfig config) {
    init(new Decoder(config.clone().setTrailersFactory(DeferredTrailers.FACTORY)), new Encoder());
  }

  /** Bytes received that the decoder has not turned into a message yet. */
  int unreadBytes() {
    return inboundHandler().unread();
  }

  /**
   * Records each request's method for the response that answers it, and writes request lines and
   * headers with a {@link RequestHeadWriter}; framing (lengths, chunks, trailers) stays Netty's.
   */
  final class Encoder extends HttpRequestEncoder {
    private final RequestHeadWriter head = new RequestHeadWriter();

    /** The encoded fields of the head being written, between its request line and its fields. */
    private byte @Nullable [] fields;

    @Override
    protected void encodeInitialLine(ByteBuf buf, HttpRequest request) throws Exception {
      fields = request instanceof EncodedFields encoded ? encoded.encodedFields() : null;
      if (!head.writeInitialLine(buf, request)) {
        super.encodeInitialLine(buf, request);
      }
    }

    @Override
    protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
      head.writeHeaders(headers, buf);
      // a head's fields only: trailers are encoded here too, with no request line before them
      byte[] encoded = fields;
      if (encoded != null) {
        fields = null;
        buf.writeBytes(encoded);
      }
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out)
        throws Exception {
      if (msg instanceof HttpRequest request) {
        methods.offer(request.method());
      }
      super.encode(ctx, msg, out);
    }
  }

  /** Decodes responses; a response to {@code HEAD} has no body whatever its framing says. */
  final class Decoder extends HttpResponseDecoder {
    Decoder(HttpDecoderConfig config) {
      super(config);
    }

    /** The status code of the status line being decoded, for its reason phrase; -1 if unusual. */
    private int statusCode = -1;

    int unread() {
      return actualReadableBytes();
    }

    @Override
    protected String splitFirstWordInitialLine(byte[] line, int start, int length) {
      String version = SharedResponseWords.version(line, start, length);
      return version != null ? version : super.splitFirstWordInitialLine(line, start, length);
    }

    @Override
    protected String splitSecondWordInitialLine(byte[] line, int start, int length) {
      statusCode = SharedResponseWords.code(line, start, length);
      return statusCode > 0
          ? SharedResponseWords.codeText(statusCode)
          : super.splitSecondWordInitialLine(line, start, length);
    }

    /** Called after the second word, when the status line has a reason phrase. */
    @Override
    protected String splitThirdWordInitialLine(byte[] line, int start, int length) {
      String reason = SharedResponseWords.reason(statusCode, line, start, length);
      return reason != null ? reason : super.splitThirdWordInitialLine(line, start, length);
    }

    @Override
    protected AsciiString splitHeaderName(byte[] line, int start, int length) {
      AsciiString name = SharedResponseWords.headerName(line, start, length);
      return name != null ? name : super.splitHeaderName(line, start, length);
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
      if (((HttpResponse) msg).status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        // Interim responses answer no request of their own.
        return super.isContentAlwaysEmpty(msg);
      }
      HttpMethod method = methods.poll();
      return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
    }
  }
}
