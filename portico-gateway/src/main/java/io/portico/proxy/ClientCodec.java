package io.portico.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.portico.observe.RequestIds;
import io.portico.upstream.ChunkedEncoding;
import io.portico.upstream.CodecPair;
import io.portico.upstream.EncodedFields;
import io.portico.upstream.HeadBytes;
import io.portico.upstream.KeptHeaders;
import io.portico.upstream.PlainDecoding;
import io.portico.upstream.SharedHeaderNames;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP/1.1 codec of a client connection: Netty's request decoder and response encoder, with
 * what Netty's {@code HttpServerCodec} adds to them, and the header names clients commonly send
 * decoded to shared constants.
 *
 * <p>What {@code HttpServerCodec} adds, kept here: the methods of the requests decoded, oldest
 * first, so that the response to a {@code HEAD} is encoded without a body and a successful response
 * to {@code CONNECT} without {@code Transfer-Encoding}; at most {@code maxPipelineDepth} requests
 * waiting for their responses (one more fails the decoder with an {@link IllegalStateException} and
 * everything the client sends after it is dropped, and the connection closes after the next
 * response); and should the decoder let through a request framed both by {@code Transfer-Encoding:
 * chunked} and by {@code Content-Length} (Netty 4.2 fails it), the connection closes after its
 * response. It is the {@link HttpServerUpgradeHandler.SourceCodec} of the h2c upgrade, which
 * removes it from the pipeline.
 *
 * <p>What it adds: a field name whose bytes are exactly one of {@link #NAMES} (as listed, or in
 * lower case) is that shared {@link AsciiString} instead of a new one per field, so what is
 * forwarded is what the client sent; Netty's decoder shares five names on its own ({@code Host},
 * {@code Accept}, {@code Connection}, {@code Content-Type}, {@code Content-Length}), as written.
 *
 * <p>And it decodes a request into the {@link Request} of an earlier one when that one was given
 * back ({@link #recycle}): the message and its header map (the map's 16 buckets and head entry) are
 * made once per connection instead of once per request, and the map's entries serve the next
 * request's fields of the same names ({@link KeptHeaders}). The ownership rule: a decoded request
 * belongs to its exchange, and the exchange gives it back only when nothing else can still read it
 * (see {@code HttpExchange.requestUnshared}: no plugin saw it, no mirror, gRPC, aggregation, AI
 * call, trace or upgrade took it, and the exchange succeeded with its request complete); anything
 * else keeps its request, and the next one is decoded into a new object. There is one spare at a
 * time: a pipelined request decoded while the previous exchange still runs gets a new object.
 *
 * <p>Most request heads are not decoded by Netty's decoder at all: a complete head of the plain
 * kind (CRLF lines, a standard method, no {@code Transfer-Encoding}, at most one canonical {@code
 * Content-Length}, only visible ASCII; {@link PlainHeadParser}) is read straight from the buffer
 * into the spare request, with the field values and target of the previous request reused while
 * their bytes repeat, and its body framed by its {@code Content-Length} as Netty frames it. Every
 * other head, and everything Netty's decoder refuses, goes to Netty's decoder from its first byte:
 * its parsing, limits and refusals apply unchanged.
 *
 * <p>One per connection, used on its event loop only.
 */
final class ClientCodec extends CodecPair<ClientCodec.Decoder, ClientCodec.Encoder>
    implements HttpServerUpgradeHandler.SourceCodec {

  /** The names of the header fields clients commonly send. */
  static final SharedHeaderNames NAMES =
      SharedHeaderNames.of(
          "Accept",
          "Accept-Encoding",
          "Accept-Language",
          "Authorization",
          "Cache-Control",
          "Connection",
          "Content-Length",
          "Content-Type",
          "Cookie",
          "Host",
          "If-Modified-Since",
          "If-None-Match",
          "Origin",
          "Pragma",
          "Referer",
          "Sec-Fetch-Dest",
          "Sec-Fetch-Mode",
          "Sec-Fetch-Site",
          "Traceparent",
          "Transfer-Encoding",
          "Upgrade",
          "User-Agent",
          "X-Forwarded-For",
          "X-Forwarded-Proto",
          "X-Request-Id",
          "X-Requested-With");

  /** The inline method queue's two-bit flags: 32 fit in a long. */
  private static final int HEAD = 1;

  private static final int CONNECT = 2;
  private static final int OTHER = 3;
  private static final int MAX_DEPTH = Long.SIZE / 2;

  private final int maxPipelineDepth;

  /** The methods of the requests waiting for their responses, two bits each, oldest lowest. */
  private long methods;

  private int waiting;

  /** The connection closes after the next response (a request framed two ways). */
  private boolean closeAfterResponse;

  /** A request given back by its exchange: the next request head decodes into it. */
  private @Nullable Request spare;

  /** Told of every head and content decoded, before they go on; null without one. */
  private final @Nullable ObsFoldGuard guard;

  /**
   * @param maxPipelineDepth requests decoded and not yet answered, at most 32
   */
  ClientCodec(HttpDecoderConfig config, int maxPipelineDepth) {
    this(config, maxPipelineDepth, null);
  }

  /**
   * @param maxPipelineDepth requests decoded and not yet answered, at most 32
   * @param guard the connection's guard, whose scanner is ahead of this codec: told of each head
   *     (with its framing) and content decoded, by a call rather than a handler after the codec
   */
  ClientCodec(HttpDecoderConfig config, int maxPipelineDepth, @Nullable ObsFoldGuard guard) {
    if (maxPipelineDepth < 1 || maxPipelineDepth > MAX_DEPTH) {
      throw new IllegalArgumentException("maxPipelineDepth: " + maxPipelineDepth);
    }
    this.maxPipelineDepth = maxPipelineDepth;
    this.guard = guard;
    init(new Decoder(KeptHeaders.in(config.clone())), new Encoder());
  }

  /** Removes the codec, and its guard's scanner: the connection no longer speaks HTTP/1.1. */
  @Override
  public void upgradeFrom(ChannelHandlerContext ctx) {
    ctx.pipeline().remove(this);
    if (guard != null) {
      guard.stop(ctx);
    }
  }

  /**
   * Gives back a request, on its connection's event loop, to the codec that decoded it, for that
   * codec's next request head to decode into. Only for a request that nothing can read any more:
   * its exchange has ended and handed it to nobody who keeps it. A request that no {@code
   * ClientCodec} decoded is left alone.
   */
  static void recycle(HttpRequest request) {
    if (request instanceof Request decoded) {
      decoded.codec.spare = decoded;
    }
  }

  /**
   * A request as this codec decodes it: a {@link DefaultHttpRequest} that knows its codec, so that
   * it can be given back to it, and that may carry fields encoded beside its header map for the
   * upstream encoder ({@link EncodedFields}, set by its exchange; none when decoded): the request
   * id's line, the attempt's {@code Host} line and the connection's forwarding lines, in that
   * order, the order in which the map path sets them.
   *
   * <p>Ownership: the exchange that owns the request sets its fields on its event loop; a request
   * given back to the codec has them cleared ({@link #encodedFields(byte[])} with null) before it
   * decodes the next head.
   */
  static final class Request extends DefaultHttpRequest implements EncodedFields {
    private static final AsciiString HOST_NAME = HttpHeaderNames.HOST;

    private final ClientCodec codec;
    private long plainBodyLength = -1;
    private byte @Nullable [] encodedFields;
    private @Nullable AsciiString idName;
    private long idHigh;
    private long idLow;
    private @Nullable CharSequence host;

    private Request(
        ClientCodec codec,
        HttpVersion version,
        HttpMethod method,
        String uri,
        HttpHeadersFactory headersFactory) {
      super(version, method, uri, headersFactory);
      this.codec = codec;
    }

    /**
     * The body length that a plain head declared, 0 when it declared none; -1 when Netty's decoder
     * read the head. It describes the head as decoded: only for its first reader, before anything
     * may have changed its fields.
     */
    long plainBodyLength() {
      return plainBodyLength;
    }

    /** The encoded forwarding lines, or null when the head's fields all go in its map. */
    byte @Nullable [] encodedFields() {
      return encodedFields;
    }

    /**
     * Sets the forwarding lines written upstream after the map's fields; null clears every encoded
     * field, the request id's and the {@code Host} too.
     */
    void encodedFields(byte @Nullable [] lines) {
      encodedFields = lines;
      if (lines == null) {
        idName = null;
        host = null;
      }
    }

    /** Writes the generated request id {@code high}, {@code low} as the field {@code name}. */
    void encodedRequestId(AsciiString name, long high, long low) {
      idName = name;
      idHigh = high;
      idLow = low;
    }

    /** The {@code Host} line's value, or null when the head carries none. */
    @Nullable CharSequence encodedHost() {
      return host;
    }

    /** Writes {@code Host: value}, an already-checked value, or no {@code Host} when null. */
    void encodedHost(@Nullable CharSequence value) {
      host = value;
    }

    @Override
    public int encodedFieldsLength() {
      int n = encodedFields == null ? 0 : encodedFields.length;
      if (idName != null) {
        n += idName.length() + RequestIds.LENGTH + 4;
      }
      if (host != null) {
        n += HOST_NAME.length() + host.length() + 4;
      }
      return n;
    }

    @Override
    public int encodeFields(byte[] s, int p) {
      if (idName != null) {
        p = HeadBytes.putAscii(s, p, idName);
        s[p++] = ':';
        s[p++] = ' ';
        p = HeadBytes.putCrlf(s, RequestIds.put(s, p, idHigh, idLow));
      }
      if (host != null) {
        p = HeadBytes.putAscii(s, p, HOST_NAME);
        s[p++] = ':';
        s[p++] = ' ';
        p = HeadBytes.putCrlf(s, HeadBytes.put(s, p, host));
      }
      byte[] lines = encodedFields;
      if (lines != null) {
        System.arraycopy(lines, 0, s, p, lines.length);
        p += lines.length;
      }
      return p;
    }
  }

  private static @Nullable HttpVersion knownVersion(String text) {
    return switch (text) {
      case "HTTP/1.1" -> HttpVersion.HTTP_1_1;
      case "HTTP/1.0" -> HttpVersion.HTTP_1_0;
      default -> null;
    };
  }

  /** Empties a spare request's header map, keeping its entries when it has them to keep. */
  private static void emptyHeaders(Request request) {
    KeptHeaders.empty(request.headers());
  }

  /** Queues a decoded request's method; false when the pipeline is already at its depth. */
  private boolean enqueue(HttpMethod method) {
    if (waiting >= maxPipelineDepth) {
      return false;
    }
    long flag =
        HttpMethod.HEAD.equals(method) ? HEAD : HttpMethod.CONNECT.equals(method) ? CONNECT : OTHER;
    methods |= flag << (waiting << 1);
    waiting++;
    return true;
  }

  /** The oldest waiting request's method flag, {@link #OTHER} when none waits. */
  private int poll() {
    if (waiting == 0) {
      return OTHER;
    }
    int flag = (int) (methods & 0x3L);
    methods >>>= 2;
    waiting--;
    return flag;
  }

  /**
   * Decodes requests: a plain head ({@link PlainHeadParser}) and its {@code Content-Length} body
   * here, into the spare request; anything else by Netty's decoder, from the same bytes. Netty's
   * decoder owns the connection from the first byte it reads until it emits a request's successful
   * last content, when it is between messages again; after a failure it keeps everything (it
   * discards the rest of the connection).
   */
  final class Decoder extends HttpRequestDecoder {
    private final PlainHeadParser plain;
    private final int maxChunkSize;

    /** Set once the pipeline depth was exceeded: everything after is dropped. */
    private boolean discard;

    /** Netty's decoder is inside a message (or failed): the bytes are its own. */
    private boolean netty;

    /** Body bytes still to come of a plain request with a {@code Content-Length}. */
    private long bodyRemaining;

    Decoder(HttpDecoderConfig config) {
      super(config);
      this.plain =
          new PlainHeadParser(NAMES, config.getMaxInitialLineLength(), config.getMaxHeaderSize());
      this.maxChunkSize = config.getMaxChunkSize();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out)
        throws Exception {
      if (discard) {
        buffer.skipBytes(buffer.readableBytes());
        return;
      }
      int oldSize = out.size();
      boolean plainHead = false;
      if (bodyRemaining > 0) {
        bodyRemaining =
            PlainDecoding.readBody(buffer, bodyRemaining, maxChunkSize, trailersFactory, out);
      } else if (!netty && readPlainHead(buffer, out)) {
        plainHead = true;
      } else {
        netty = true;
        super.decode(ctx, buffer, out);
        if (PlainDecoding.nettyBetweenMessages(out, oldSize)) {
          netty = false;
        }
      }
      int size = out.size();
      for (int i = oldSize; i < size; i++) {
        Object msg = out.get(i);
        if (msg instanceof HttpRequest request) {
          if (!enqueue(request.method())) {
            closeAfterResponse = true;
            discard = true;
            for (int j = i; j < size; j++) {
              ReferenceCountUtil.release(out.get(j));
            }
            out.subList(i, size).clear();
            throw new IllegalStateException("maxPipelineDepth exceeded: " + maxPipelineDepth);
          }
          if (guard != null) {
            if (plainHead) {
              // a plain head has no Transfer-Encoding; its body is what readPlainHead left to come
              guard.headDecoded(request, false, bodyRemaining);
            } else {
              guard.headDecoded(request);
            }
          }
        }
        if (guard != null && msg instanceof HttpContent content) {
          out.set(i, guard.contentDecoded(content));
        }
      }
    }

    /**
     * Reads a plain head at the start of {@code buffer} into a request, as Netty's decoder would:
     * the request, then the empty last content when it has no body. False, with nothing read, when
     * the head is not plain or Netty's request checks refuse it.
     */
    private boolean readPlainHead(ByteBuf buffer, List<Object> out) {
      if (!plain.scan(buffer)) {
        plain.done();
        return false;
      }
      Request request = spare;
      spare = null;
      try {
        if (request == null) {
          request =
              new Request(
                  ClientCodec.this,
                  plain.version(),
                  plain.method(),
                  plain.target(),
                  headersFactory);
        } else {
          emptyHeaders(request);
          request.encodedFields(null);
          request.setProtocolVersion(plain.version());
          request.setUri(plain.target());
          if (request.method() != plain.method()) {
            request.setMethod(plain.method());
          }
        }
        plain.addFields(request.headers());
      } catch (IllegalArgumentException refused) {
        if (request != null) {
          emptyHeaders(request);
          spare = request;
        }
        return false;
      } finally {
        plain.done();
      }
      bodyRemaining =
          PlainDecoding.emitHead(request, buffer, plain.headLength(), plain.contentLength(), out);
      request.plainBodyLength = bodyRemaining;
      return true;
    }

    /**
     * The request of a new head: the spare one, emptied, when an exchange gave one back, else a new
     * one. Everything {@code HttpRequestDecoder} sets is set again: version, method, URI (with the
     * same request-line validation), an empty header map and a successful decoder result (the
     * decoder sets its own once the head is read). A version other than HTTP/1.1 or HTTP/1.0 takes
     * Netty's own path, and its strict parsing, with a new request.
     */
    @Override
    protected HttpMessage createMessage(String[] initialLine) throws Exception {
      Request request = spare;
      HttpVersion version = knownVersion(initialLine[2]);
      if (version == null) {
        return super.createMessage(initialLine);
      }
      HttpMethod method = HttpMethod.valueOf(initialLine[0]);
      if (request == null) {
        return new Request(ClientCodec.this, version, method, initialLine[1], headersFactory);
      }
      spare = null;
      emptyHeaders(request);
      request.encodedFields(null);
      request.plainBodyLength = -1;
      request.setProtocolVersion(version);
      // setUri and setMethod each validate the request line: the method only when it changed
      request.setUri(initialLine[1]);
      if (request.method() != method) {
        request.setMethod(method);
      }
      request.setDecoderResult(DecoderResult.SUCCESS);
      return request;
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
      super.handleTransferEncodingChunkedWithContentLength(message);
      closeAfterResponse = true;
    }

    @Override
    protected AsciiString splitHeaderName(byte[] line, int start, int length) {
      AsciiString name = NAMES.find(line, start, length);
      return name != null ? name : super.splitHeaderName(line, start, length);
    }
  }

  /**
   * Encodes responses: no body after {@code HEAD}, no framing on a tunnel opened by CONNECT; status
   * lines and headers written with bulk copies ({@link ResponseHeadWriter}), the bytes Netty's
   * encoder writes. A response whose body is chunked is written here, head and body, with the chunk
   * framing of {@link ChunkedEncoding} (Netty's bytes, without its objects per chunk); every other
   * one by Netty's encoder.
   */
  final class Encoder extends HttpResponseEncoder {
    private final ResponseHeadWriter head = new ResponseHeadWriter();
    private final ChunkedEncoding chunks = new ChunkedEncoding();
    private final ChunkedEncoding.HeadEncoder<HttpResponse> chunkedHead = this::encodeChunkedHead;
    private int method = OTHER;

    /**
     * Whether the head about to go to Netty's encoder has a body ({@code 0}) or none ({@code 1}),
     * decided already, so that the method queue is not polled twice; -1 when not decided.
     */
    private int decided = -1;

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out)
        throws Exception {
      if (chunks.inBody()) {
        chunks.encode(ctx, msg, out);
        return;
      }
      if (msg instanceof HttpResponse response && !(msg instanceof HttpContent)) {
        boolean empty = isContentAlwaysEmpty(response);
        if (!empty && HttpUtil.isTransferEncodingChunked(response)) {
          chunks.encodeHead(ctx, response, chunkedHead, out);
          return;
        }
        decided = empty ? 1 : 0;
      }
      try {
        super.encode(ctx, msg, out);
      } finally {
        decided = -1;
      }
    }

    /** The head of a response whose chunked body follows, for {@link ChunkedEncoding}. */
    private void encodeChunkedHead(ByteBuf buf, HttpResponse response) {
      encodeInitialLine(buf, response);
      sanitizeHeadersBeforeEncode(response, false);
      encodeHeaders(response.headers(), buf);
    }

    @Override
    protected void encodeInitialLine(ByteBuf buf, HttpResponse response) {
      head.writeInitialLine(buf, response);
    }

    @Override
    protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
      head.writeHeaders(headers, buf);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
        throws Exception {
      if (closeAfterResponse && msg instanceof LastHttpContent) {
        closeAfterResponse = false;
        promise = promise.unvoid().addListener(ChannelFutureListener.CLOSE);
      }
      super.write(ctx, msg, promise);
    }

    @Override
    protected void sanitizeHeadersBeforeEncode(HttpResponse msg, boolean isAlwaysEmpty) {
      if (!isAlwaysEmpty
          && method == CONNECT
          && msg.status().codeClass() == HttpStatusClass.SUCCESS) {
        // RFC 9112, section 6.1: a successful CONNECT response has no framing.
        msg.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        return;
      }
      super.sanitizeHeadersBeforeEncode(msg, isAlwaysEmpty);
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
      if (decided >= 0) {
        boolean empty = decided == 1;
        decided = -1;
        return empty;
      }
      method = poll();
      return method == HEAD || super.isContentAlwaysEmpty(msg);
    }
  }
}
