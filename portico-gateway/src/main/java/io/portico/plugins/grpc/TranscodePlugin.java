package io.portico.plugins.grpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
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
 *   REWRITE        the binding whose method and template match; the body (JSON), query parameters
 *                  and path variables into the request message; POST /pkg.Service/Method,
 *                  Content-Type application/grpc, the message in gRPC framing as the body
 *   RESPONSE       a gRPC answer's head: JSON (or NDJSON, server-sent events) instead of gRPC
 *   RESPONSE_BODY  unary: the whole answer, its message as JSON, or its status as a problem;
 *                  server streaming: each message as a line or an event as it arrives, flushed,
 *                  and a failed status at the end as a last line or an error event
 * </pre>
 *
 * <p>A request that is already gRPC (or gRPC-Web) passes untouched, so one route can serve both. A
 * request no binding matches is answered 404; a body that is not JSON, or a field of the wrong type
 * or name, 400 naming the field. Immutable; per-exchange state lives in the exchange.
 */
final class TranscodePlugin implements Plugin {

  private static final ExchangeKey<Call> CALL = ExchangeKey.of("grpc-transcode.call");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] NEWLINE = {'\n'};

  private static final Set<String> GRPC_HEADERS =
      Set.of(
          "grpc-status",
          "grpc-message",
          "grpc-status-details-bin",
          "grpc-encoding",
          "grpc-accept-encoding");

  private final TranscodeConfig config;

  TranscodePlugin(TranscodeConfig config) {
    this.config = config;
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
    Descriptor input = b.rpc().getInputType();
    ObjectNode root;
    try {
      root = requestJson(exchange, b, pathValues, body);
    } catch (BadRequest e) {
      return badRequest(String.valueOf(e.getMessage()));
    }
    DynamicMessage.Builder message = DynamicMessage.newBuilder(input);
    try {
      config.parser().merge(root.toString(), message);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      String field = locate(root, input, "");
      String why = e.getMessage() == null ? "not valid for its type" : e.getMessage();
      return badRequest(
          field == null
              ? "The request does not fit " + input.getFullName() + ": " + why
              : "field \"" + field + "\": " + why);
    }
    byte[] bytes = message.build().toByteArray();
    byte[] prefix = {
      0,
      (byte) (bytes.length >>> 24),
      (byte) (bytes.length >>> 16),
      (byte) (bytes.length >>> 8),
      (byte) bytes.length
    };
    HttpRequest request = exchange.request();
    request.setMethod(HttpMethod.POST);
    exchange.forwardPath(b.grpcPath());
    HttpHeaders h = request.headers();
    h.set(HttpHeaderNames.CONTENT_TYPE, "application/grpc");
    h.remove(HttpHeaderNames.CONTENT_ENCODING);
    h.remove("grpc-encoding");
    h.remove("grpc-accept-encoding");
    exchange.set(CALL, new Call(b));
    exchange.replaceRequestBody(Unpooled.wrappedBuffer(prefix, bytes));
    return Outcome.proceed();
  }

  private static Reply badRequest(String detail) {
    return Reply.problem(
        HttpResponseStatus.BAD_REQUEST, "grpc-transcode-bad-request", "Bad Request", detail);
  }

  /** A request that cannot become the method's message; its message is the client's detail. */
  private static final class BadRequest extends Exception {
    BadRequest(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * The request message as JSON: the body (all of it, or one field), query parameters into the
   * fields neither binds, and the path variables last, so they win.
   */
  private ObjectNode requestJson(
      Exchange exchange, Binding b, Map<String, String> pathValues, ByteBuf body)
      throws BadRequest {
    Descriptor input = b.rpc().getInputType();
    ObjectNode root;
    if (b.wholeBody()) {
      JsonNode parsed = body.isReadable() ? parse(body) : JSON.createObjectNode();
      if (!parsed.isObject()) {
        throw new BadRequest(
            "The request body is not a JSON object (expected: " + input.getFullName() + ")");
      }
      root = (ObjectNode) parsed;
    } else {
      root = JSON.createObjectNode();
      for (Map.Entry<String, List<String>> q : exchange.queryParameters().entrySet()) {
        query(root, input, b, q.getKey(), q.getValue());
      }
      String field = b.body();
      if (field != null && body.isReadable()) {
        FieldDescriptor f = DescriptorSet.field(input, field);
        root.set(f == null ? field : f.getName(), parse(body));
      }
    }
    for (Map.Entry<String, String> v : pathValues.entrySet()) {
      set(root, input, v.getKey(), List.of(v.getValue()), false);
    }
    return root;
  }

  private static JsonNode parse(ByteBuf body) throws BadRequest {
    try {
      return JSON.readTree((java.io.InputStream) new ByteBufInputStream(body.duplicate()));
    } catch (JsonProcessingException e) {
      throw new BadRequest("The request body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new BadRequest("The request body could not be read.");
    }
  }

  private void query(ObjectNode root, Descriptor input, Binding b, String name, List<String> values)
      throws BadRequest {
    int dot = name.indexOf('.');
    String top = dot < 0 ? name : name.substring(0, dot);
    FieldDescriptor topField = DescriptorSet.field(input, top);
    if (topField != null && b.bindsTopLevel(topField.getName())) {
      return;
    }
    FieldDescriptor leaf = Binding.resolve(input, name);
    if (leaf == null) {
      if (config.ignoreUnknownQueryParams()) {
        return;
      }
      throw new BadRequest(
          "query parameter \"" + name + "\" names no field of " + input.getFullName() + ".");
    }
    if (leaf.getJavaType() == FieldDescriptor.JavaType.MESSAGE
        && !leaf.getMessageType().getFullName().startsWith("google.protobuf.")) {
      throw new BadRequest(
          "query parameter \"" + name + "\" names a message field (expected: a scalar field).");
    }
    set(root, input, name, values, leaf.isRepeated());
  }

  /** Sets the field at a dotted path to a value (or, for a repeated field, all of them). */
  private static void set(
      ObjectNode root, Descriptor input, String path, List<String> values, boolean repeated) {
    String[] parts = path.split("\\.");
    ObjectNode at = root;
    Descriptor type = input;
    for (int i = 0; i < parts.length; i++) {
      FieldDescriptor f = type == null ? null : DescriptorSet.field(type, parts[i]);
      String key = f == null ? parts[i] : f.getName();
      if (i == parts.length - 1) {
        if (repeated) {
          ArrayNode array = at.putArray(key);
          values.forEach(array::add);
        } else {
          at.put(key, values.get(values.size() - 1));
        }
        return;
      }
      JsonNode next = at.get(key);
      if (next == null || !next.isObject()) {
        next = at.putObject(key);
      }
      at = (ObjectNode) next;
      type =
          f != null && f.getJavaType() == FieldDescriptor.JavaType.MESSAGE
              ? f.getMessageType()
              : null;
    }
  }

  /** The first field of {@code node} that does not parse, as a dotted path, or null. */
  private @Nullable String locate(ObjectNode node, Descriptor type, String prefix) {
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      FieldDescriptor f = DescriptorSet.field(type, e.getKey());
      if (f == null) {
        return prefix + e.getKey();
      }
      ObjectNode one = JSON.createObjectNode();
      one.set(e.getKey(), e.getValue());
      try {
        config.parser().merge(one.toString(), DynamicMessage.newBuilder(type));
      } catch (InvalidProtocolBufferException | RuntimeException bad) {
        if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE
            && !f.isRepeated()
            && e.getValue().isObject()
            && !f.getMessageType().getFullName().startsWith("google.protobuf.")) {
          String deeper =
              locate((ObjectNode) e.getValue(), f.getMessageType(), prefix + e.getKey() + ".");
          if (deeper != null) {
            return deeper;
          }
        }
        return prefix + e.getKey();
      }
    }
    return null;
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
        call.binding.serverStreaming() ? config.streamFormat().contentType() : "application/json");
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
            (input, alloc) -> streamed(call, input, alloc),
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
      return Unpooled.wrappedBuffer(toJson(call, messages.get(0)));
    } finally {
      messages.forEach(ByteBuf::release);
      dropGrpcTrailers(exchange);
    }
  }

  private ByteBuf streamed(Call call, ByteBuf input, ByteBufAllocator alloc) {
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
                out.add(event(toJson(call, m)));
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

  private byte[] toJson(Call call, ByteBuf message) {
    try {
      DynamicMessage m =
          DynamicMessage.parseFrom(
              call.binding.rpc().getOutputType(),
              CodedInputStream.newInstance(message.nioBuffer()));
      return config.printer().print(m).getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new BodyTransform.InvalidBody(
          "The gRPC answer is not a " + call.binding.rpc().getOutputType().getFullName() + ".");
    }
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
