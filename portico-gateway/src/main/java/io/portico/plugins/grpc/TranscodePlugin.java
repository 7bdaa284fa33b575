package io.portico.plugins.grpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.grpc.GrpcContentType;
import io.portico.grpc.GrpcFrameReader;
import io.portico.grpc.GrpcStatus;
import io.portico.spi.plugin.BodyTransform;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.ExchangeKey;
import io.portico.spi.plugin.GatewayAnswerHeaders;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code grpc-transcode} per request.
 *
 * <pre>
 *   REWRITE        the binding whose method and template match; the body (JSON, a JSON array or
 *                  NDJSON for a client stream, raw bytes for an HttpBody), query parameters and
 *                  path variables into the request messages ({@link RequestMessages});
 *                  POST /pkg.Service/Method, Content-Type application/grpc, the messages in gRPC
 *                  framing as the body
 *   RESPONSE       a gRPC answer's head: JSON (or NDJSON, server-sent events, an HttpBody's own
 *                  content type) instead of gRPC
 *   RESPONSE_BODY  unary: the whole answer, its message (or response_body field) as JSON or an
 *                  HttpBody's bytes, or its status as a problem; server streaming: each message
 *                  as a line, an event or raw bytes as it arrives, flushed, and a failed status
 *                  at the end as a last line or an error event
 * </pre>
 *
 * <p>A request that is already gRPC (or gRPC-Web) passes untouched, so one route can serve both. A
 * request no binding matches is answered 404; a body that is not JSON, or a field of the wrong type
 * or name, 400 naming the field. Immutable; per-exchange state lives in the exchange.
 */
final class TranscodePlugin implements Plugin {

  private static final ExchangeKey<Call> CALL = ExchangeKey.of("grpc-transcode.call");
  private static final byte[] NEWLINE = {'\n'};

  private static final Set<String> GRPC_HEADERS =
      Set.of(
          "grpc-status",
          "grpc-message",
          "grpc-status-details-bin",
          "grpc-encoding",
          "grpc-accept-encoding");

  private final TranscodeConfig config;
  private final RequestMessages requests;

  TranscodePlugin(TranscodeConfig config) {
    this.config = config;
    this.requests = new RequestMessages(config);
  }

  @Override
  public Set<Phase> phases() {
    return Set.of(Phase.REWRITE, Phase.RESPONSE, Phase.RESPONSE_BODY);
  }

  /** One transcoded call's state, on its exchange's event loop. */
  private static final class Call {
    final Binding binding;
    boolean grpcAnswer;
    @Nullable String headStatus;
    @Nullable String headMessage;
    @Nullable String headDetails;
    @Nullable GrpcFrameReader reader;
    boolean emitted;

    Call(Binding binding) {
      this.binding = binding;
    }

    void close() {
      GrpcFrameReader r = reader;
      reader = null;
      if (r != null) {
        r.close();
      }
    }
  }

  // ---------------------------------------------------------------- request

  @Override
  public Outcome rewrite(Exchange exchange) {
    HttpRequest request = exchange.request();
    if (GrpcContentType.of(request.headers().get(HttpHeaderNames.CONTENT_TYPE))
        != GrpcContentType.NONE) {
      return Outcome.proceed();
    }
    String method = request.method().name();
    String path = exchange.path();
    for (Binding b : config.bindings()) {
      if (!b.httpMethod().equals(method)) {
        continue;
      }
      Map<String, String> values = b.template().match(path);
      if (values != null && streamsJson(b)) {
        return toStream(exchange, b, values);
      }
      if (values != null) {
        return Outcome.await(
            exchange
                .requestBody(config.maxMessageBytes())
                .thenApply(body -> toCall(exchange, b, values, body)));
      }
    }
    return Reply.problem(
        HttpResponseStatus.NOT_FOUND,
        "grpc-transcode-no-binding",
        "Not Found",
        "No gRPC method is bound to " + method + " " + path + ".");
  }

  private Outcome toCall(
      Exchange exchange, Binding b, Map<String, String> pathValues, ByteBuf body) {
    HttpRequest request = exchange.request();
    HttpHeaders h = request.headers();
    ByteBuf grpcBody;
    try {
      grpcBody =
          requests.build(
              b, h.get(HttpHeaderNames.CONTENT_TYPE), exchange.queryParameters(), pathValues, body);
    } catch (RequestMessages.BadRequest e) {
      return badRequest(String.valueOf(e.getMessage()));
    }
    toGrpcHead(exchange, b);
    exchange.replaceRequestBody(grpcBody);
    return Outcome.proceed();
  }

  /** Whether the binding's messages come from a stream of JSON elements (a JSON array, NDJSON). */
  private static boolean streamsJson(Binding b) {
    return b.clientStreaming()
        && !b.httpBodyRequest()
        && b.httpBodyRequestField() == null
        && b.body() != null;
  }

  /**
   * A client stream's call, sent as its body arrives: each JSON element becomes a message on its
   * way upstream ({@link MessageStream}), so nothing of the body is held beyond the element being
   * read.
   */
  private Outcome toStream(Exchange exchange, Binding b, Map<String, String> pathValues) {
    HttpHeaders h = exchange.request().headers();
    Map<String, List<String>> query = exchange.queryParameters();
    try {
      requests.checkShared(b, query, pathValues);
    } catch (RequestMessages.BadRequest e) {
      return badRequest(String.valueOf(e.getMessage()));
    }
    exchange.transformRequestBody(
        new MessageStream(
            requests,
            b,
            h.get(HttpHeaderNames.CONTENT_TYPE),
            query,
            pathValues,
            config.maxMessageBytes()));
    toGrpcHead(exchange, b);
    return Outcome.proceed();
  }

  /** The request head as the gRPC call's. */
  private static void toGrpcHead(Exchange exchange, Binding b) {
    HttpRequest request = exchange.request();
    HttpHeaders h = request.headers();
    request.setMethod(HttpMethod.POST);
    exchange.forwardPath(b.grpcPath());
    h.set(HttpHeaderNames.CONTENT_TYPE, "application/grpc");
    h.remove(HttpHeaderNames.CONTENT_ENCODING);
    h.remove("grpc-encoding");
    h.remove("grpc-accept-encoding");
    exchange.set(CALL, new Call(b));
  }

  private static Reply badRequest(String detail) {
    return Reply.problem(
        HttpResponseStatus.BAD_REQUEST, "grpc-transcode-bad-request", "Bad Request", detail);
  }

  // ---------------------------------------------------------------- response

  @Override
  public void response(Exchange exchange) {
    Call call = exchange.get(CALL);
    HttpResponse response = exchange.response();
    if (call == null || response == null) {
      return;
    }
    HttpHeaders h = response.headers();
    if (GrpcContentType.of(h.get(HttpHeaderNames.CONTENT_TYPE)) != GrpcContentType.GRPC) {
      return;
    }
    call.grpcAnswer = true;
    call.headStatus = h.get("grpc-status");
    call.headMessage = h.get("grpc-message");
    call.headDetails = h.get("grpc-status-details-bin");
    for (String name : GRPC_HEADERS) {
      h.remove(name);
    }
    h.set(
        HttpHeaderNames.CONTENT_TYPE,
        call.binding.httpBodyResponse()
            ? HttpBodies.DEFAULT_CONTENT_TYPE
            : call.binding.serverStreaming()
                ? config.streamFormat().contentType()
                : "application/json");
  }

  @Override
  public @Nullable BodyTransform responseBody(Exchange exchange) {
    Call call = exchange.get(CALL);
    if (call == null || !call.grpcAnswer) {
      return null;
    }
    if (!call.binding.serverStreaming()) {
      return BodyTransform.whole(
          config.maxMessageBytes() + GrpcFrameReader.PREFIX_BYTES,
          (input, alloc) -> unary(exchange, call, input, alloc));
    }
    return BodyTransform.chunks(
            (input, alloc) -> streamed(exchange, call, input, alloc),
            (input, alloc) -> streamEnd(exchange, call))
        .closingWith(call::close);
  }

  private ByteBuf unary(Exchange exchange, Call call, ByteBuf input, ByteBufAllocator alloc) {
    List<ByteBuf> messages = new ArrayList<>(1);
    try (GrpcFrameReader reader = new GrpcFrameReader(alloc, config.maxMessageBytes(), false)) {
      GrpcFrameReader.Failure failure = reader.feed(input, (m, compressed) -> messages.add(m));
      if (failure == null) {
        failure = reader.end();
      }
      if (failure != null) {
        throw new BodyTransform.InvalidBody(
            "The gRPC answer could not be read: " + failure.message());
      }
      GrpcStatus status = GrpcProblem.statusOf(exchange.responseTrailers(), call.headStatus);
      if (status == null) {
        throw new BodyTransform.InvalidBody("The gRPC answer ended without a grpc-status.");
      }
      if (status != GrpcStatus.OK) {
        return problem(exchange, call, status);
      }
      if (messages.size() != 1) {
        throw new BodyTransform.InvalidBody(
            "The gRPC answer of a unary call held " + messages.size() + " messages (expected: 1).");
      }
      if (call.binding.httpBodyResponse()) {
        Message body = httpBodyOf(call, messages.get(0));
        HttpResponse response = exchange.response();
        if (response != null) {
          response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpBodies.contentType(body));
        }
        return Unpooled.wrappedBuffer(HttpBodies.data(body));
      }
      return Unpooled.wrappedBuffer(toJson(call, messages.get(0)));
    } finally {
      messages.forEach(ByteBuf::release);
      dropGrpcTrailers(exchange);
    }
  }

  private ByteBuf streamed(Exchange exchange, Call call, ByteBuf input, ByteBufAllocator alloc) {
    GrpcFrameReader reader = call.reader;
    if (reader == null) {
      reader = new GrpcFrameReader(alloc, config.maxMessageBytes(), false);
      call.reader = reader;
    }
    List<byte[]> out = new ArrayList<>(2);
    GrpcFrameReader.Failure failure =
        reader.feed(
            input,
            (m, compressed) -> {
              try {
                out.add(
                    call.binding.httpBodyResponse()
                        ? rawPart(exchange, call, m)
                        : event(toJson(call, m)));
              } finally {
                m.release();
              }
            });
    if (failure != null) {
      throw new BodyTransform.InvalidBody(
          "The gRPC answer could not be read: " + failure.message());
    }
    if (out.isEmpty()) {
      return Unpooled.EMPTY_BUFFER;
    }
    call.emitted = true;
    return Unpooled.wrappedBuffer(out.toArray(byte[][]::new));
  }

  private ByteBuf streamEnd(Exchange exchange, Call call) {
    GrpcFrameReader reader = call.reader;
    GrpcFrameReader.Failure failure = reader == null ? null : reader.end();
    GrpcStatus status = GrpcProblem.statusOf(exchange.responseTrailers(), call.headStatus);
    byte[] body;
    if (failure != null) {
      body =
          GrpcProblem.render(
              GrpcStatus.INTERNAL, failure.message(), null, config.printer(), exchange.requestId());
    } else if (status == null) {
      body =
          GrpcProblem.render(
              GrpcStatus.UNKNOWN,
              "The gRPC answer ended without a grpc-status.",
              null,
              config.printer(),
              exchange.requestId());
    } else if (status == GrpcStatus.OK) {
      dropGrpcTrailers(exchange);
      return Unpooled.EMPTY_BUFFER;
    } else if (!call.emitted) {
      return problem(exchange, call, status);
    } else {
      body = problemBytes(exchange, call, status);
    }
    dropGrpcTrailers(exchange);
    if (!call.emitted) {
      HttpResponse response = exchange.response();
      if (response != null) {
        response.setStatus(HttpResponseStatus.BAD_GATEWAY);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, GrpcProblem.CONTENT_TYPE);
        GatewayAnswerHeaders.mark(response.headers());
      }
      return Unpooled.wrappedBuffer(body);
    }
    return Unpooled.wrappedBuffer(
        config.streamFormat() == TranscodeConfig.StreamFormat.SSE
            ? concat(
                "event: error\ndata: ".getBytes(StandardCharsets.US_ASCII),
                body,
                "\n\n".getBytes(StandardCharsets.US_ASCII))
            : concat(
                "{\"error\":".getBytes(StandardCharsets.US_ASCII),
                body,
                "}\n".getBytes(StandardCharsets.US_ASCII)));
  }

  /** The answer's status as the whole response: its HTTP status and a problem body. */
  private ByteBuf problem(Exchange exchange, Call call, GrpcStatus status) {
    byte[] body = problemBytes(exchange, call, status);
    dropGrpcTrailers(exchange);
    HttpResponse response = exchange.response();
    if (response != null) {
      response.setStatus(HttpResponseStatus.valueOf(status.httpStatus()));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, GrpcProblem.CONTENT_TYPE);
      GatewayAnswerHeaders.mark(response.headers());
    }
    return Unpooled.wrappedBuffer(body);
  }

  private byte[] problemBytes(Exchange exchange, Call call, GrpcStatus status) {
    HttpHeaders trailers = exchange.responseTrailers();
    boolean fromTrailers = trailers != null && trailers.contains("grpc-status");
    return GrpcProblem.render(
        status,
        trailers != null && fromTrailers ? trailers.get("grpc-message") : call.headMessage,
        trailers != null && fromTrailers
            ? trailers.get("grpc-status-details-bin")
            : call.headDetails,
        config.printer(),
        exchange.requestId());
  }

  /** The gRPC trailers are the transcoder's to read; the JSON client gets none of them. */
  private static void dropGrpcTrailers(Exchange exchange) {
    HttpHeaders trailers = exchange.responseTrailers();
    if (trailers != null && !trailers.isEmpty()) {
      for (String name : GRPC_HEADERS) {
        trailers.remove(name);
      }
    }
  }

  private DynamicMessage parse(Call call, ByteBuf message) {
    try {
      return DynamicMessage.parseFrom(
          call.binding.rpc().getOutputType(), CodedInputStream.newInstance(message.nioBuffer()));
    } catch (IOException e) {
      throw new BodyTransform.InvalidBody(
          "The gRPC answer is not a " + call.binding.rpc().getOutputType().getFullName() + ".");
    }
  }

  /** A message as the JSON client gets it: all of it, or its {@code response_body} field. */
  private byte[] toJson(Call call, ByteBuf message) {
    DynamicMessage m = parse(call, message);
    FieldDescriptor f = call.binding.responseField();
    try {
      if (f == null) {
        return config.printer().print(m).getBytes(StandardCharsets.UTF_8);
      }
      if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !f.isRepeated()) {
        return config.printer().print((Message) m.getField(f)).getBytes(StandardCharsets.UTF_8);
      }
      // A scalar, repeated or map field: printed in its message, then taken out of it.
      DynamicMessage only =
          DynamicMessage.newBuilder(m.getDescriptorForType()).setField(f, m.getField(f)).build();
      JsonNode tree =
          RequestMessages.JSON.readTree(
              config.printer().alwaysPrintFieldsWithNoPresence().print(only));
      JsonNode value = tree.get(f.getJsonName());
      if (value == null) {
        value = tree.get(f.getName());
      }
      return value == null
          ? "null".getBytes(StandardCharsets.US_ASCII)
          : RequestMessages.JSON.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new BodyTransform.InvalidBody(
          "The gRPC answer could not be printed as JSON: " + e.getMessage());
    }
  }

  /** The {@code HttpBody} a message answers with: the message, or its response_body field. */
  private Message httpBodyOf(Call call, ByteBuf message) {
    DynamicMessage m = parse(call, message);
    FieldDescriptor f = call.binding.responseField();
    return f == null ? m : (Message) m.getField(f);
  }

  /**
   * One streamed {@code HttpBody}'s bytes, as they are; the first one's content type is the
   * response's (the head waits for the first bytes).
   */
  private byte[] rawPart(Exchange exchange, Call call, ByteBuf message) {
    Message body = httpBodyOf(call, message);
    if (!call.emitted) {
      HttpResponse response = exchange.response();
      if (response != null) {
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpBodies.contentType(body));
      }
    }
    return HttpBodies.data(body);
  }

  /** One streamed message as the client reads it: a line, or a server-sent event. */
  private byte[] event(byte[] json) {
    return config.streamFormat() == TranscodeConfig.StreamFormat.SSE
        ? concat(
            "data: ".getBytes(StandardCharsets.US_ASCII),
            json,
            "\n\n".getBytes(StandardCharsets.US_ASCII))
        : concat(json, NEWLINE, new byte[0]);
  }

  private static byte[] concat(byte[] a, byte[] b, byte[] c) {
    byte[] out = new byte[a.length + b.length + c.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    System.arraycopy(c, 0, out, a.length + b.length, c.length);
    return out;
  }
}
