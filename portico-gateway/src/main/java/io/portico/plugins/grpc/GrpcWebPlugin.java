package io.portico.plugins.grpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.grpc.GrpcContentType;
import io.portico.grpc.GrpcFrameReader;
import io.portico.grpc.GrpcMessage;
import io.portico.grpc.GrpcStatus;
import io.portico.plugins.builtin.AllowedOrigins;
import io.portico.spi.plugin.BodyTransform;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.ExchangeKey;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.Reply;
import io.portico.spi.plugin.RequestBodyTransform;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code grpc-web} per request.
 *
 * <pre>
 *   REWRITE        a CORS preflight: answered 204 here. A gRPC-Web call: Content-Type
 *                  application/grpc (the same suffix, +proto); a -text call's body base64-decoded
 *                  (the binary form streams, its framing being gRPC's); each message's prefix
 *                  checked (flags, length, a body not ending inside a message)
 *   RESPONSE       Content-Type back to the client's form; a trailers-only answer's status moved
 *                  out of the head; CORS headers exposing grpc-status and grpc-message
 *   RESPONSE_BODY  messages pass (base64-encoded for -text, in runs of whole 3-byte groups), then
 *                  the trailers as gRPC-Web's trailer frame: flag 0x80, length, "name:value\r\n"
 * </pre>
 *
 * <p>The upstream answers over HTTP/2 with real trailers; the browser, on HTTP/1.1 or HTTP/2, reads
 * them from the body, as the gRPC-Web protocol requires, so the response carries no HTTP trailers.
 * Immutable; per-exchange state lives in the exchange.
 */
final class GrpcWebPlugin implements Plugin {

  private static final ExchangeKey<WebCall> CALL = ExchangeKey.of("grpc-web.call");
  private static final String ALWAYS_EXPOSED = "grpc-status, grpc-message, grpc-status-details-bin";
  private static final byte TRAILER_FLAG = (byte) 0x80;

  private final AllowedOrigins origins;
  private final String allowHeaders;
  private final String exposeHeaders;
  private final @Nullable String maxAge;
  private final int maxMessageBytes;

  GrpcWebPlugin(GrpcWebConfig config) {
    this.origins = config.origins();
    this.allowHeaders = String.join(", ", config.allowHeaders());
    this.exposeHeaders =
        config.exposeHeaders().isEmpty()
            ? ALWAYS_EXPOSED
            : ALWAYS_EXPOSED + ", " + String.join(", ", config.exposeHeaders());
    this.maxAge = config.maxAgeSeconds() == null ? null : Long.toString(config.maxAgeSeconds());
    this.maxMessageBytes = config.maxMessageBytes();
  }

  @Override
  public Set<Phase> phases() {
    return Set.of(Phase.REWRITE, Phase.RESPONSE, Phase.RESPONSE_BODY);
  }

  /** One gRPC-Web call's state, on its exchange's event loop. */
  private static final class WebCall {
    final boolean text;
    final String clientType;
    boolean grpcAnswer;
    @Nullable String headStatus;
    @Nullable String headMessage;
    @Nullable String headDetails;

    /** Bytes of a -text body not yet encoded: fewer than three. */
    final byte[] leftover = new byte[2];

    int leftoverCount;

    WebCall(boolean text, String clientType) {
      this.text = text;
      this.clientType = clientType;
    }
  }

  // ---------------------------------------------------------------- request

  @Override
  public Outcome rewrite(Exchange exchange) {
    HttpRequest request = exchange.request();
    HttpHeaders h = request.headers();
    if (isPreflight(request)) {
      return preflight(h.get(HttpHeaderNames.ORIGIN));
    }
    String contentType = h.get(HttpHeaderNames.CONTENT_TYPE);
    GrpcContentType form = GrpcContentType.of(contentType);
    if (form != GrpcContentType.GRPC_WEB && form != GrpcContentType.GRPC_WEB_TEXT) {
      return Outcome.proceed();
    }
    boolean text = form == GrpcContentType.GRPC_WEB_TEXT;
    String suffix =
        contentType.substring(
            text ? "application/grpc-web-text".length() : "application/grpc-web".length());
    WebCall call = new WebCall(text, contentType);
    exchange.set(CALL, call);
    h.set(HttpHeaderNames.CONTENT_TYPE, "application/grpc" + suffix);
    h.remove(HttpHeaderNames.CONTENT_ENCODING);
    String encoding = h.get("grpc-encoding");
    boolean compressed = encoding != null && !"identity".equalsIgnoreCase(encoding.trim());
    if (!text) {
      exchange.transformRequestBody(new CheckedMessages(exchange, call, compressed));
      return Outcome.proceed();
    }
    // base64 grows by 4/3: the cap applies to the decoded bytes
    long textCap = (long) maxMessageBytes * 4 / 3 + 4;
    return Outcome.await(
        exchange
            .requestBody(textCap)
            .thenApply(
                body -> {
                  byte[] decoded = decodeText(body);
                  if (decoded == null) {
                    return grpcError(
                        exchange,
                        call,
                        GrpcStatus.INVALID_ARGUMENT,
                        "The grpc-web-text body is not base64.");
                  }
                  ByteBuf messages = Unpooled.wrappedBuffer(decoded);
                  GrpcFrameReader reader =
                      new GrpcFrameReader(
                          UnpooledByteBufAllocator.DEFAULT, maxMessageBytes, compressed);
                  GrpcFrameReader.Failure failure = reader.skim(messages);
                  if (failure == null) {
                    failure = reader.end();
                  }
                  if (failure != null) {
                    return grpcError(exchange, call, failure.status(), failure.message());
                  }
                  exchange.replaceRequestBody(messages);
                  return Outcome.proceed();
                }));
  }

  /**
   * A binary call's body on its way upstream: each message's prefix checked as it passes (the
   * flags, a data frame only, never a trailer frame from the client; the length, at most {@code
   * max-message-size}; the body not ending inside a message), the bytes passed on untouched.
   */
  private final class CheckedMessages implements RequestBodyTransform {
    private final Exchange exchange;
    private final WebCall call;
    private final GrpcFrameReader reader;

    CheckedMessages(Exchange exchange, WebCall call, boolean compressed) {
      this.exchange = exchange;
      this.call = call;
      this.reader =
          new GrpcFrameReader(UnpooledByteBufAllocator.DEFAULT, maxMessageBytes, compressed);
    }

    @Override
    public ByteBuf next(ByteBuf input, ByteBufAllocator alloc) throws Refused {
      refuse(reader.skim(input));
      return input.retainedDuplicate();
    }

    @Override
    public ByteBuf end(ByteBufAllocator alloc) throws Refused {
      refuse(reader.end());
      return Unpooled.EMPTY_BUFFER;
    }

    @Override
    public void close() {
      reader.close();
    }

    private void refuse(GrpcFrameReader.@Nullable Failure failure) throws Refused {
      if (failure != null) {
        throw new Refused(grpcError(exchange, call, failure.status(), failure.message()));
      }
    }
  }

  /** A gRPC-Web answer from the gateway: a status only, in the head (trailers-only). */
  private Reply grpcError(Exchange exchange, WebCall call, GrpcStatus status, String message) {
    HttpHeaders headers = new DefaultHttpHeaders();
    headers.set(HttpHeaderNames.CONTENT_TYPE, call.clientType);
    headers.set("grpc-status", status.codeText());
    headers.set("grpc-message", GrpcMessage.encode(message));
    String origin = exchange.request().headers().get(HttpHeaderNames.ORIGIN);
    if (origin != null && origins.allows(origin)) {
      headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origins.any() ? "*" : origin);
      headers.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, exposeHeaders);
    }
    return Reply.of(HttpResponseStatus.OK).withHeaders(headers);
  }

  private Reply preflight(String origin) {
    HttpHeaders out = new DefaultHttpHeaders();
    if (!origins.any()) {
      out.add(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
    }
    if (!origins.allows(origin)) {
      return Reply.of(HttpResponseStatus.NO_CONTENT).withHeaders(out);
    }
    out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origins.any() ? "*" : origin);
    out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "POST, OPTIONS");
    out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, allowHeaders);
    out.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, exposeHeaders);
    if (maxAge != null) {
      out.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, maxAge);
    }
    return Reply.of(HttpResponseStatus.NO_CONTENT).withHeaders(out);
  }

  private static boolean isPreflight(HttpRequest request) {
    return HttpMethod.OPTIONS.equals(request.method())
        && request.headers().contains(HttpHeaderNames.ORIGIN)
        && request.headers().contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
  }

  /**
   * Decodes a {@code grpc-web-text} body: base64, possibly several padded runs one after another
   * (one per message, as some clients send), whitespace ignored. Null when it is not base64.
   */
  static byte @Nullable [] decodeText(ByteBuf body) {
    String text = body.toString(StandardCharsets.US_ASCII);
    StringBuilder clean = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!Character.isWhitespace(c)) {
        clean.append(c);
      }
    }
    if (clean.length() % 4 != 0) {
      return null;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(clean.length() * 3 / 4);
    Base64.Decoder decoder = Base64.getDecoder();
    int start = 0;
    try {
      for (int group = 0; group < clean.length(); group += 4) {
        if (clean.charAt(group + 3) == '=' || group + 4 == clean.length()) {
          out.writeBytes(decoder.decode(clean.substring(start, group + 4)));
          start = group + 4;
        }
      }
    } catch (IllegalArgumentException e) {
      return null;
    }
    return out.toByteArray();
  }

  // ---------------------------------------------------------------- response

  @Override
  public void response(Exchange exchange) {
    WebCall call = exchange.get(CALL);
    HttpResponse response = exchange.response();
    if (call == null || response == null) {
      return;
    }
    HttpHeaders h = response.headers();
    String origin = exchange.request().headers().get(HttpHeaderNames.ORIGIN);
    if (origin != null && origins.allows(origin)) {
      h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origins.any() ? "*" : origin);
      h.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, exposeHeaders);
      if (!origins.any()) {
        h.add(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
      }
    }
    if (GrpcContentType.of(h.get(HttpHeaderNames.CONTENT_TYPE)) != GrpcContentType.GRPC) {
      return;
    }
    call.grpcAnswer = true;
    call.headStatus = h.get("grpc-status");
    call.headMessage = h.get("grpc-message");
    call.headDetails = h.get("grpc-status-details-bin");
    h.remove("grpc-status");
    h.remove("grpc-message");
    h.remove("grpc-status-details-bin");
    h.set(HttpHeaderNames.CONTENT_TYPE, call.clientType);
  }

  @Override
  public @Nullable BodyTransform responseBody(Exchange exchange) {
    WebCall call = exchange.get(CALL);
    if (call == null || !call.grpcAnswer) {
      return null;
    }
    return BodyTransform.chunks(
        (input, alloc) -> call.text ? encode(call, input, false, alloc) : input,
        (input, alloc) -> {
          ByteBuf frame = trailerFrame(exchange, call);
          return call.text ? encode(call, frame, true, alloc) : frame;
        });
  }

  /** The trailers as gRPC-Web's trailer frame; the response keeps no HTTP trailers. */
  private static ByteBuf trailerFrame(Exchange exchange, WebCall call) {
    StringBuilder block = new StringBuilder(64);
    HttpHeaders trailers = exchange.responseTrailers();
    boolean status = false;
    if (trailers != null && !trailers.isEmpty()) {
      Iterator<Map.Entry<String, String>> it = trailers.iteratorAsString();
      while (it.hasNext()) {
        Map.Entry<String, String> e = it.next();
        String name = e.getKey().toLowerCase(Locale.ROOT);
        status |= name.equals("grpc-status");
        block.append(name).append(':').append(e.getValue()).append("\r\n");
      }
      trailers.clear();
    }
    if (!status) {
      String code = call.headStatus;
      String message = call.headMessage;
      if (code == null) {
        HttpResponse response = exchange.response();
        GrpcStatus derived =
            GrpcStatus.ofHttpStatus(response == null ? 500 : response.status().code());
        if (derived == GrpcStatus.OK) {
          // a 200 that ended without grpc-status is no success: gRPC clients take it as UNKNOWN
          derived = GrpcStatus.UNKNOWN;
          message = GrpcMessage.encode("The upstream's answer ended without a grpc-status.");
        }
        code = derived.codeText();
      }
      block.append("grpc-status:").append(code).append("\r\n");
      if (message != null) {
        block.append("grpc-message:").append(message).append("\r\n");
      }
      if (call.headDetails != null) {
        block.append("grpc-status-details-bin:").append(call.headDetails).append("\r\n");
      }
    }
    byte[] bytes = block.toString().getBytes(StandardCharsets.UTF_8);
    ByteBuf frame = Unpooled.buffer(5 + bytes.length);
    frame.writeByte(TRAILER_FLAG);
    frame.writeInt(bytes.length);
    frame.writeBytes(bytes);
    return frame;
  }

  /**
   * Base64 of the bytes so far: whole 3-byte groups now (no padding inside the stream), the rest
   * kept for the next chunk; at the end everything, padded.
   */
  private static ByteBuf encode(WebCall call, ByteBuf input, boolean end, ByteBufAllocator alloc) {
    int total = call.leftoverCount + input.readableBytes();
    int now = end ? total : total - total % 3;
    if (now == 0) {
      input.readBytes(call.leftover, call.leftoverCount, input.readableBytes());
      call.leftoverCount = total;
      return Unpooled.EMPTY_BUFFER;
    }
    byte[] raw = new byte[now];
    System.arraycopy(call.leftover, 0, raw, 0, call.leftoverCount);
    input.readBytes(raw, call.leftoverCount, now - call.leftoverCount);
    int rest = input.readableBytes();
    input.readBytes(call.leftover, 0, rest);
    call.leftoverCount = rest;
    byte[] encoded = Base64.getEncoder().encode(raw);
    return alloc.buffer(encoded.length).writeBytes(encoded);
  }
}
