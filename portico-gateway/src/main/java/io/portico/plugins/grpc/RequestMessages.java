package io.portico.plugins.grpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.portico.grpc.GrpcFrameReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A transcoded request into the gRPC body the upstream gets: each request message in gRPC framing.
 *
 * <p>A message is built from, later winning: the query parameters (into the fields neither the path
 * nor the body binds), the body (all of the message with {@code body: "*"}, or one field), and the
 * path variables. The body is JSON, except where the rule binds a {@code google.api.HttpBody} (the
 * request message itself, or the body field): then the raw bytes and {@code Content-Type} fill it.
 * A client-streaming method takes a stream of messages, as Envoy's transcoder does: a JSON array
 * whose elements are each one message's body (a lone object is a stream of one), or, with {@code
 * Content-Type: application/x-ndjson}, one body per line; the path and query fill every message. An
 * {@code HttpBody} stream is one message of the whole body.
 *
 * <p>Immutable; one per compiled config.
 */
final class RequestMessages {

  static final ObjectMapper JSON = new ObjectMapper();

  private final TranscodeConfig config;

  RequestMessages(TranscodeConfig config) {
    this.config = config;
  }

  /** A request that cannot become the method's messages; its message is the client's detail. */
  static final class BadRequest extends Exception {
    BadRequest(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * The call's gRPC body.
   *
   * @param contentType the client's {@code Content-Type}
   * @param query the request's query parameters
   */
  ByteBuf build(
      Binding b,
      @Nullable String contentType,
      Map<String, List<String>> query,
      Map<String, String> pathValues,
      ByteBuf body)
      throws BadRequest {
    Descriptor input = b.rpc().getInputType();
    if (b.httpBodyRequest()) {
      return framed(List.of(HttpBodies.of(input, contentType, body).toByteArray()));
    }
    FieldDescriptor rawField = b.httpBodyRequestField();
    List<@Nullable JsonNode> bodies;
    if (rawField != null || b.body() == null) {
      bodies = Collections.singletonList(null);
    } else if (b.clientStreaming()) {
      bodies = new ArrayList<>(elements(contentType, body));
    } else {
      bodies = Collections.singletonList(body.isReadable() ? parse(body) : null);
    }
    List<byte[]> messages = new ArrayList<>(bodies.size());
    for (int i = 0; i < bodies.size(); i++) {
      messages.add(
          message(
              b, query, pathValues, bodies.get(i), bodies.size() > 1 ? i : -1, contentType, body));
    }
    return framed(messages);
  }

  /**
   * One request message from one body (null: none), in protobuf encoding.
   *
   * @param index the message's index in a stream, named in errors; negative for a lone message
   * @param raw the client's raw body, for a binding whose body is an {@code HttpBody} field
   */
  byte[] message(
      Binding b,
      Map<String, List<String>> query,
      Map<String, String> pathValues,
      @Nullable JsonNode body,
      int index,
      @Nullable String contentType,
      ByteBuf raw)
      throws BadRequest {
    Descriptor input = b.rpc().getInputType();
    FieldDescriptor rawField = b.httpBodyRequestField();
    ObjectNode root;
    try {
      root = requestJson(b, query, pathValues, body);
    } catch (BadRequest e) {
      throw index < 0 ? e : new BadRequest("message " + index + ": " + e.getMessage());
    }
    DynamicMessage.Builder message = DynamicMessage.newBuilder(input);
    try {
      config.parser().merge(root.toString(), message);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      String field = locate(root, input, "");
      String why = e.getMessage() == null ? "not valid for its type" : e.getMessage();
      String which = index >= 0 ? "message " + index + ": " : "";
      throw new BadRequest(
          field == null
              ? which + "The request does not fit " + input.getFullName() + ": " + why
              : which + "field \"" + field + "\": " + why);
    }
    if (rawField != null) {
      message.setField(rawField, HttpBodies.of(rawField.getMessageType(), contentType, raw));
    }
    return message.build().toByteArray();
  }

  /**
   * Checks what every message of a stream shares (the query parameters, the path variables) before
   * any element of the body arrives.
   */
  void checkShared(Binding b, Map<String, List<String>> query, Map<String, String> pathValues)
      throws BadRequest {
    requestJson(b, query, pathValues, null);
  }

  private static ByteBuf framed(List<byte[]> messages) {
    int size = 0;
    for (byte[] m : messages) {
      size += GrpcFrameReader.PREFIX_BYTES + m.length;
    }
    ByteBuf out = Unpooled.buffer(size);
    for (byte[] m : messages) {
      GrpcFrameReader.writePrefix(out, m.length);
      out.writeBytes(m);
    }
    return out;
  }

  /** A streamed request's bodies: a JSON array's elements, an object alone, or NDJSON lines. */
  private static List<JsonNode> elements(@Nullable String contentType, ByteBuf body)
      throws BadRequest {
    List<JsonNode> out = new ArrayList<>();
    if (contentType != null
        && contentType.toLowerCase(Locale.ROOT).startsWith("application/x-ndjson")) {
      String text = body.toString(StandardCharsets.UTF_8);
      int line = 0;
      for (String l : text.split("\n", -1)) {
        line++;
        if (l.isBlank()) {
          continue;
        }
        try {
          out.add(JSON.readTree(l));
        } catch (JsonProcessingException e) {
          throw new BadRequest(
              "line " + line + " of the request body is not valid JSON: " + e.getOriginalMessage());
        }
      }
      return out;
    }
    if (!body.isReadable()) {
      return out;
    }
    JsonNode parsed = parse(body);
    if (parsed.isArray()) {
      parsed.forEach(out::add);
    } else {
      out.add(parsed);
    }
    return out;
  }

  /**
   * One request message as JSON: the body (all of it, or one field), query parameters into the
   * fields neither binds, and the path variables last, so they win.
   */
  private ObjectNode requestJson(
      Binding b,
      Map<String, List<String>> query,
      Map<String, String> pathValues,
      @Nullable JsonNode body)
      throws BadRequest {
    Descriptor input = b.rpc().getInputType();
    ObjectNode root;
    if (b.wholeBody()) {
      JsonNode parsed = body == null ? JSON.createObjectNode() : body;
      if (!parsed.isObject()) {
        throw new BadRequest(
            "The request body is not a JSON object (expected: " + input.getFullName() + ")");
      }
      root = ((ObjectNode) parsed).deepCopy();
    } else {
      root = JSON.createObjectNode();
      for (Map.Entry<String, List<String>> q : query.entrySet()) {
        query(root, input, b, q.getKey(), q.getValue());
      }
      String field = b.body();
      if (field != null && body != null) {
        FieldDescriptor f = DescriptorSet.field(input, field);
        root.set(f == null ? field : f.getName(), body);
      }
    }
    for (Map.Entry<String, String> v : pathValues.entrySet()) {
      set(root, input, v.getKey(), List.of(v.getValue()), false);
    }
    return root;
  }

  private static JsonNode parse(ByteBuf body) throws BadRequest {
    try {
      return JSON.readTree((InputStream) new ByteBufInputStream(body.duplicate()));
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
}
