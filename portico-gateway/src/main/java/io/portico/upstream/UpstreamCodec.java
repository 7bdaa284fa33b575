package io.portico.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
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
 * <p>And it decodes a response into the {@link Response} of an earlier one when that one was given
 * back ({@link #recycle}): the message and its header map (16 buckets and a head entry) are made
 * once per connection instead of once per response, and the map keeps its entries for the next
 * response's fields of the same names ({@link KeptHeaders}, {@link KeptHeaderEntries}). The
 * ownership rule, as strict as the client codec's for requests: a decoded response belongs to the
 * exchange it answers, and the exchange gives it back only when nothing else can still read it (see
 * {@code DownstreamHandler.giveBackResponse}: the exchange succeeded as one whose request is given
 * back, no plugin, body stage or capture saw the response, its head was encoded for an HTTP/1.1
 * client on this connection's event loop, and the exchange has finished); any other response is
 * left to the garbage collector, and the next one is decoded into a new object. There is one spare
 * at a time.
 *
 * <p>Most response heads are not decoded by Netty's decoder at all: a complete head of the plain
 * kind (status 200 to 599 with a reason phrase, token names, visible values, one canonical {@code
 * Content-Length}, or none where the response has no body; {@link PlainResponseHeadParser}) is read
 * straight from the buffer into the spare response, with its strings reused while their bytes
 * repeat on the connection, and its body framed here as Netty frames it: a {@code Content-Length}
 * body, or a chunked one of the strict form ({@link PlainChunks}), in one pass when all of it is in
 * the buffer without trailers, else piece by piece as its bytes come, its trailers included, the
 * state kept here between reads. Every other head (an interim response, read-to-close framing, a
 * chunked body whose bytes in the first read are not of the strict form, a head split across reads,
 * anything Netty's decoder refuses) goes to Netty's decoder from its first byte.
 *
 * <p>Used on the connection's event loop only. {@code CONNECT} is never sent upstream.
 */
public final class UpstreamCodec extends CodecPair<UpstreamCodec.Decoder, UpstreamCodec.Encoder> {

  private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);

  UpstreamCodec(HttpDecoderConfig config) {
    init(
        new Decoder(KeptHeaders.in(config.clone().setTrailersFactory(DeferredTrailers.FACTORY))),
        new Encoder());
  }

  /** A response given back by its exchange: the next status line decodes into it. */
  private @Nullable Response spare;

  /**
   * Gives back a response, on its connection's event loop, to the codec that decoded it, for that
   * codec's next response head to decode into. Only for a response that nothing can read any more:
   * its exchange has ended and handed it to nobody who keeps it. A response that no {@code
   * UpstreamCodec} decoded, or one whose codec runs on another event loop, is left alone.
   */
  public static void recycle(HttpResponse response) {
    if (response instanceof Response decoded && decoded.codec.onItsEventLoop()) {
      PlainBodyEnd end = decoded.end;
      if (end != null) {
        end.clear();
      }
      decoded.codec.spare = decoded;
    }
  }

  private boolean onItsEventLoop() {
    ChannelHandlerContext ctx = inboundHandler().ctx;
    return ctx != null && ctx.executor().inEventLoop();
  }

  /**
   * A response as this codec decodes it: a {@link DefaultHttpResponse} that knows its codec, so
   * that it can be given back to it.
   */
  static final class Response extends DefaultHttpResponse {
    private final UpstreamCodec codec;

    /** The end of this object's plain bodies, made for the first one; see {@link PlainBodyEnd}. */
    private @Nullable PlainBodyEnd end;

    PlainBodyEnd end() {
      PlainBodyEnd e = end;
      return e != null ? e : (end = new PlainBodyEnd());
    }

    private Response(
        UpstreamCodec codec,
        HttpVersion version,
        HttpResponseStatus status,
        HttpHeadersFactory headersFactory) {
      super(version, status, headersFactory);
      this.codec = codec;
    }
  }

  /** Bytes received that the decoder has not turned into a message yet. */
  int unreadBytes() {
    return inboundHandler().unread();
  }

  /**
   * Records each request's method for the response that answers it, and writes request lines and
   * headers with a {@link RequestHeadWriter}; a request whose body is chunked is written here, head
   * and body, with the chunk framing of {@link ChunkedEncoding} (Netty's bytes, without its objects
   * per chunk), every other framing by Netty's encoder.
   */
  final class Encoder extends HttpRequestEncoder {
    private final RequestHeadWriter head = new RequestHeadWriter();
    private final ChunkedEncoding chunks = new ChunkedEncoding();
    private final ChunkedEncoding.HeadEncoder<HttpRequest> chunkedHead = this::encodeChunkedHead;

    /** The encoded fields of the head being written, between its request line and its fields. */
    private @Nullable EncodedFields fields;

    @Override
    protected void encodeInitialLine(ByteBuf buf, HttpRequest request) throws Exception {
      fields =
          request instanceof EncodedFields encoded && encoded.encodedFieldsLength() > 0
              ? encoded
              : null;
      if (!head.writeInitialLine(buf, request)) {
        super.encodeInitialLine(buf, request);
      }
    }

    @Override
    protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
      // a head's fields only: trailers are encoded here too, with no request line before them
      EncodedFields encoded = fields;
      fields = null;
      head.writeHeaders(headers, encoded, buf);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out)
        throws Exception {
      if (chunks.inBody()) {
        chunks.encode(ctx, msg, out);
        return;
      }
      if (msg instanceof HttpRequest request) {
        methods.offer(request.method());
        if (!(msg instanceof HttpContent)
            && !isContentAlwaysEmpty(request)
            && HttpUtil.isTransferEncodingChunked(request)) {
          chunks.encodeHead(ctx, request, chunkedHead, out);
          return;
        }
      }
      super.encode(ctx, msg, out);
    }

    /** The head of a request whose chunked body follows, for {@link ChunkedEncoding}. */
    private void encodeChunkedHead(ByteBuf buf, HttpRequest request) throws Exception {
      encodeInitialLine(buf, request);
      sanitizeHeadersBeforeEncode(request, false);
      encodeHeaders(request.headers(), buf);
    }
  }

  /**
   * Decodes responses; a response to {@code HEAD} has no body whatever its framing says. A plain
   * head ({@link PlainResponseHeadParser}) and its {@code Content-Length} body are read here, into
   * the spare response; anything else by Netty's decoder, from the same bytes. Netty's decoder owns
   * the connection from the first byte it reads until it emits a response's successful last
   * content, when it is between messages again; after a failure, or once it passed the connection
   * to another protocol, it keeps everything.
   */
  final class Decoder extends HttpResponseDecoder {
    /** Body pieces up to this size are copied rather than sliced. */
    static final int COPIED_BODY = 256;

    private final PlainResponseHeadParser plain;
    private final PlainChunks chunks;
    private final int maxChunkSize;

    /** Netty's decoder is inside a message (or failed, or upgraded): the bytes are its own. */
    private boolean netty;

    /** Body bytes still to come of a plain response with a {@code Content-Length}. */
    private long bodyRemaining;

    /** The plain response whose body is being read. */
    private @Nullable Response bodyOf;

    /** A chunked body read step by step ({@link #readChunked}) is under way. */
    private boolean chunking;

    /** A chunked body read here failed: the rest of the connection is discarded, as Netty does. */
    private boolean broken;

    private final int maxHeaderSize;

    Decoder(HttpDecoderConfig config) {
      super(config);
      this.plain =
          new PlainResponseHeadParser(config.getMaxInitialLineLength(), config.getMaxHeaderSize());
      this.maxChunkSize = config.getMaxChunkSize();
      this.maxHeaderSize = config.getMaxHeaderSize();
      this.chunks = new PlainChunks(config.getMaxInitialLineLength(), maxChunkSize, maxHeaderSize);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out)
        throws Exception {
      if (bodyRemaining > 0) {
        readBody(buffer, out);
      } else if (chunking) {
        readChunked(buffer, out);
      } else if (broken) {
        buffer.skipBytes(buffer.readableBytes());
      } else if (netty || !readPlainHead(buffer, out)) {
        netty = true;
        int from = out.size();
        super.decode(ctx, buffer, out);
        if (out.size() == from + 1
            && out.get(from) instanceof HttpResponse head
            && head.decoderResult().isSuccess()) {
          decodeFirstBodyPart(ctx, buffer, out, head);
        }
        if (PlainDecoding.nettyBetweenMessages(out, from)) {
          netty = false;
        }
      }
    }

    /**
     * Netty's decoder emits a response head alone when a body follows; the bytes already read are
     * decoded on to the body's first part before the head goes anywhere, so that a body whose
     * framing breaks before its first byte (a chunk-size line that is not hexadecimal, a trailer
     * line without a colon after an empty body) fails the head itself: a malformed head, which the
     * client gets as a 502, instead of a head relayed and a connection cut. A framing that breaks
     * later fails its part as Netty fails it.
     */
    private void decodeFirstBodyPart(
        ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out, HttpResponse head)
        throws Exception {
      int size = out.size();
      while (out.size() == size && buffer.isReadable()) {
        int readable = buffer.readableBytes();
        super.decode(ctx, buffer, out);
        if (out.size() == size && buffer.readableBytes() == readable) {
          return; // the body's first part is still to come
        }
      }
      if (out.size() > size && out.get(size) instanceof HttpContent first) {
        DecoderResult result = first.decoderResult();
        if (result.isFailure()) {
          out.remove(size);
          first.release();
          head.setDecoderResult(DecoderResult.failure(result.cause()));
        }
      }
    }

    /**
     * Reads a plain head at the start of {@code buffer} into a response, as Netty's decoder would:
     * the response, then the empty last content when it has no body (a response to {@code HEAD}, a
     * 204 or 304, a {@code Content-Length} of 0). False, with nothing read and no method taken,
     * when the head is not plain, its length is the end of the connection, or the header map
     * refuses a field.
     */
    private boolean readPlainHead(ByteBuf buffer, List<Object> out) {
      if (!plain.scan(buffer)) {
        plain.done();
        return false;
      }
      int code = plain.code();
      boolean bodiless = code == 204 || code == 304 || HttpMethod.HEAD.equals(methods.peek());
      long length = plain.contentLength();
      boolean chunked = plain.chunked();
      int chunkedEnd = -1;
      if (chunked && !bodiless) {
        chunkedEnd = chunks.scan(buffer, buffer.readerIndex() + plain.headLength());
      }
      if (chunked ? bodiless || chunkedEnd == PlainChunks.NOT_PLAIN : !bodiless && length < 0) {
        // Netty's: a chunked body not of the strict form (or framing Netty drops for a body-less
        // response), or one read to the end of the connection
        plain.done();
        return false;
      }
      Response response = spare;
      spare = null;
      try {
        if (response == null) {
          response =
              new Response(UpstreamCodec.this, plain.version(), plain.status(), headersFactory);
        } else {
          KeptHeaders.empty(response.headers());
          response.setProtocolVersion(plain.version());
          response.setStatus(plain.status());
        }
        plain.addFields(response.headers());
      } catch (IllegalArgumentException refused) {
        if (response != null) {
          KeptHeaders.empty(response.headers());
          spare = response;
        }
        return false;
      } finally {
        plain.done();
      }
      methods.poll();
      // Netty's decoder sets a result that also holds the head's line lengths (package-private to
      // it); nothing here reads them.
      response.setDecoderResult(DecoderResult.SUCCESS);
      buffer.skipBytes(plain.headLength());
      out.add(response);
      if (chunked && chunkedEnd >= 0) {
        readChunks(buffer, chunkedEnd, response, out);
      } else if (chunked) {
        chunks.begin();
        chunking = true;
        bodyOf = response;
        readChunked(buffer, out);
      } else if (bodiless || length == 0) {
        out.add(LastHttpContent.EMPTY_LAST_CONTENT);
      } else {
        bodyRemaining = length;
        bodyOf = response;
      }
      return true;
    }

    /**
     * A whole chunked body that {@link #chunks} found, up to {@code end}: each chunk's data as a
     * piece, the last one in the response's {@link PlainBodyEnd} (Netty's decoder sends it as a
     * piece of its own before an empty end: the same bytes in the same order).
     */
    private void readChunks(ByteBuf buffer, int end, Response response, List<Object> out) {
      int n = chunks.count();
      if (n == 0) {
        out.add(LastHttpContent.EMPTY_LAST_CONTENT);
      }
      for (int i = 0; i < n; i++) {
        buffer.readerIndex(chunks.start(i));
        ByteBuf piece = piece(buffer, chunks.length(i));
        out.add(i < n - 1 ? new DefaultHttpContent(piece) : response.end().fill(piece));
      }
      buffer.readerIndex(end);
    }

    /** What {@code buffer} holds of a chunked body read step by step ({@link PlainChunks#read}). */
    private void readChunked(ByteBuf buffer, List<Object> out) {
      Response response = bodyOf;
      if (response == null) {
        throw new IllegalStateException("a chunked body without its response");
      }
      ChannelHandlerContext c = ctx;
      int read = chunks.read(buffer, response, c != null ? c.alloc() : null, out);
      if (read != PlainChunks.MORE) {
        chunking = false;
        bodyOf = null;
        broken = read == PlainChunks.BAD;
      }
    }

    /** The next {@code n} bytes of {@code buffer}: copied when small, else a slice. */
    private ByteBuf piece(ByteBuf buffer, int n) {
      ChannelHandlerContext c = ctx;
      return PlainChunks.piece(c != null ? c.alloc() : null, buffer, n);
    }

    /**
     * The body of a plain response, as Netty's decoder frames a {@code Content-Length} body; its
     * end is the response's {@link PlainBodyEnd}. A piece of at most {@link #COPIED_BODY} bytes is
     * copied into a buffer of the channel's allocator, whose buffer objects are pooled, instead of
     * a slice object per piece; a larger one is a slice of the receive buffer.
     */
    private void readBody(ByteBuf buffer, List<Object> out) {
      int readable = buffer.readableBytes();
      if (readable == 0) {
        return;
      }
      int n = (int) Math.min(Math.min(readable, maxChunkSize), bodyRemaining);
      ByteBuf content = piece(buffer, n);
      bodyRemaining -= n;
      if (bodyRemaining > 0) {
        out.add(new DefaultHttpContent(content));
        return;
      }
      Response response = bodyOf;
      bodyOf = null;
      out.add(
          response != null
              ? response.end().fill(content)
              : new DefaultLastHttpContent(content, trailersFactory));
    }

    /** The status code of the status line being decoded, for its reason phrase; -1 if unusual. */
    private int statusCode = -1;

    /** The decoder's context, once it is in a pipeline. */
    @Nullable ChannelHandlerContext ctx;

    int unread() {
      return actualReadableBytes();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
      this.ctx = ctx;
      super.handlerAdded(ctx);
    }

    /**
     * The response of a new status line: the spare one, emptied, when an exchange gave one back,
     * else a new one. Everything {@code HttpResponseDecoder} sets is set again, parsed the same way
     * (numeric code with its reason phrase) before the spare is touched: version, status, an empty
     * header map and a successful decoder result (the decoder sets its own once the head is read).
     * A version other than {@code HTTP/1.1} or {@code HTTP/1.0}, exactly, is refused (Netty's own
     * parsing would take {@code HTTP/2.0}, {@code HTTP/1.2} or {@code http/1.1}): the decoder turns
     * the refusal into a malformed head, a 502 that closes the connection.
     */
    @Override
    protected HttpMessage createMessage(String[] initialLine) {
      HttpVersion version = knownVersion(initialLine[0]);
      if (version == null) {
        throw new IllegalArgumentException(
            "a response version other than HTTP/1.1 or HTTP/1.0: " + initialLine[0]);
      }
      HttpResponseStatus status =
          HttpResponseStatus.valueOf(Integer.parseInt(initialLine[1]), initialLine[2]);
      Response response = spare;
      if (response == null) {
        return new Response(UpstreamCodec.this, version, status, headersFactory);
      }
      spare = null;
      KeptHeaders.empty(response.headers());
      response.setProtocolVersion(version);
      response.setStatus(status);
      response.setDecoderResult(DecoderResult.SUCCESS);
      return response;
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
      requireColonAfterName(line, start + length);
      AsciiString name = SharedResponseWords.headerName(line, start, length);
      return name != null ? name : super.splitHeaderName(line, start, length);
    }

    /**
     * Netty ends a response field's name at its first space and skips whatever follows up to the
     * colon, so {@code Location x: /a} would be relayed as {@code Location: /a} and {@code X A: 1}
     * as {@code X: 1}. Only whitespace may come before the colon (RFC 9112 5.1, removed here as a
     * proxy must); anything else makes the head malformed, a 502.
     */
    private static void requireColonAfterName(byte[] line, int from) {
      for (int i = from; i < line.length; i++) {
        byte b = line[i];
        if (b == ':') {
          return;
        }
        if (b != ' ' && b != '\t') {
          throw new IllegalArgumentException("a response field name with a space inside it");
        }
      }
      throw new IllegalArgumentException("No colon found");
    }

    private static @Nullable HttpVersion knownVersion(String text) {
      return switch (text) {
        case "HTTP/1.1" -> HttpVersion.HTTP_1_1;
        case "HTTP/1.0" -> HttpVersion.HTTP_1_0;
        default -> null;
      };
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
