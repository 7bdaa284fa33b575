package io.portico.plugins.grpc;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP binding of a gRPC method ({@code google.api.http} or one of its {@code
 * additional_bindings}): the HTTP method and path template, where the request message's fields come
 * from, and the gRPC path the call goes to. Immutable.
 *
 * @param httpMethod the HTTP method, upper case ({@code custom} rules' kind as written)
 * @param template the path template
 * @param rpc the gRPC method
 * @param grpcPath {@code /package.Service/Method}
 * @param body null (no body), {@code *} (the whole request message) or a top-level field's name
 * @param responseBody null (the whole response message is the answer) or the top-level field of the
 *     response message that is ({@code response_body})
 */
record Binding(
    String httpMethod,
    HttpTemplate template,
    MethodDescriptor rpc,
    String grpcPath,
    @Nullable String body,
    @Nullable String responseBody) {

  /** The message type whose raw bytes and content type stand for an HTTP body. */
  static final String HTTP_BODY = "google.api.HttpBody";

  boolean wholeBody() {
    return "*".equals(body);
  }

  boolean serverStreaming() {
    return rpc.isServerStreaming();
  }

  /** A client-streaming (or bidirectional) method: the request body is a stream of messages. */
  boolean clientStreaming() {
    return rpc.isClientStreaming();
  }

  /**
   * The body field that takes the raw request body, when the rule's {@code body} names a field of
   * type {@code HttpBody}; null otherwise.
   */
  @Nullable FieldDescriptor httpBodyRequestField() {
    if (body == null || wholeBody()) {
      return null;
    }
    FieldDescriptor f = DescriptorSet.field(rpc.getInputType(), body);
    return f != null && isHttpBody(f) ? f : null;
  }

  /** Whether the request message itself is an {@code HttpBody}, filled from the raw body. */
  boolean httpBodyRequest() {
    return wholeBody() && HTTP_BODY.equals(rpc.getInputType().getFullName());
  }

  /** The field of the response message that is the answer, or null for the whole message. */
  @Nullable FieldDescriptor responseField() {
    return responseBody == null ? null : DescriptorSet.field(rpc.getOutputType(), responseBody);
  }

  /**
   * Whether the answer (the message, or its {@code response_body} field) is an {@code HttpBody}.
   */
  boolean httpBodyResponse() {
    FieldDescriptor f = responseField();
    return f == null ? HTTP_BODY.equals(rpc.getOutputType().getFullName()) : isHttpBody(f);
  }

  private static boolean isHttpBody(FieldDescriptor f) {
    return f.getJavaType() == FieldDescriptor.JavaType.MESSAGE
        && !f.isRepeated()
        && HTTP_BODY.equals(f.getMessageType().getFullName());
  }

  /**
   * The top-level field names bound by the path or the body (query parameters may not set them).
   */
  boolean bindsTopLevel(String name) {
    if (body != null && !wholeBody() && body.equals(name)) {
      return true;
    }
    for (HttpTemplate.Variable v : template.variables()) {
      String path = v.fieldPath();
      int dot = path.indexOf('.');
      if ((dot < 0 ? path : path.substring(0, dot)).equals(name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The bindings of one method's rules (each with its additional bindings), checked against the
   * method's input type; problems are added to {@code problems} as text.
   */
  static List<Binding> of(MethodDescriptor rpc, List<DynamicMessage> rules, List<String> problems) {
    List<Binding> out = new ArrayList<>();
    for (DynamicMessage rule : rules) {
      add(rpc, rule, problems, out, true);
    }
    return out;
  }

  private static void add(
      MethodDescriptor rpc,
      DynamicMessage rule,
      List<String> problems,
      List<Binding> out,
      boolean top) {
    String grpcPath = "/" + rpc.getService().getFullName() + "/" + rpc.getName();
    String method = null;
    String pattern = null;
    for (String verb : List.of("get", "put", "post", "delete", "patch")) {
      String value = stringField(rule, verb);
      if (!value.isEmpty()) {
        method = verb.toUpperCase(java.util.Locale.ROOT);
        pattern = value;
      }
    }
    FieldDescriptor customField = rule.getDescriptorForType().findFieldByName("custom");
    if (customField != null && rule.hasField(customField)) {
      DynamicMessage custom = (DynamicMessage) rule.getField(customField);
      method = stringField(custom, "kind");
      pattern = stringField(custom, "path");
    }
    String where = rpc.getFullName();
    if (method == null || pattern == null || pattern.isEmpty()) {
      problems.add(where + ": a google.api.http rule names no method and path");
      return;
    }
    HttpTemplate template;
    try {
      template = HttpTemplate.parse(pattern);
    } catch (HttpTemplate.Invalid e) {
      problems.add(where + ": " + e.getMessage());
      return;
    }
    Descriptor input = rpc.getInputType();
    boolean ok = true;
    for (HttpTemplate.Variable v : template.variables()) {
      FieldDescriptor leaf = resolve(input, v.fieldPath());
      if (leaf == null) {
        problems.add(
            where
                + ": the path variable "
                + v.fieldPath()
                + " names no field of "
                + input.getFullName());
        ok = false;
      } else if (leaf.isRepeated() || leaf.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        problems.add(
            where
                + ": the path variable "
                + v.fieldPath()
                + " is not a single scalar field (expected: a string, number, bool or enum)");
        ok = false;
      }
    }
    String body = stringField(rule, "body");
    if (!body.isEmpty() && !body.equals("*") && DescriptorSet.field(input, body) == null) {
      problems.add(
          where + ": the body field " + body + " is not a field of " + input.getFullName());
      ok = false;
    }
    String responseBody = stringField(rule, "response_body");
    if (!responseBody.isEmpty() && DescriptorSet.field(rpc.getOutputType(), responseBody) == null) {
      problems.add(
          where
              + ": the response_body field "
              + responseBody
              + " is not a field of "
              + rpc.getOutputType().getFullName());
      ok = false;
    }
    if (ok) {
      out.add(
          new Binding(
              method,
              template,
              rpc,
              grpcPath,
              body.isEmpty() ? null : body,
              responseBody.isEmpty() ? null : responseBody));
    }
    if (top) {
      FieldDescriptor more = rule.getDescriptorForType().findFieldByName("additional_bindings");
      if (more != null) {
        for (int i = 0; i < rule.getRepeatedFieldCount(more); i++) {
          add(rpc, (DynamicMessage) rule.getRepeatedField(more, i), problems, out, false);
        }
      }
    }
  }

  /** The field at a dotted path of field names (proto or JSON form), or null. */
  static @Nullable FieldDescriptor resolve(Descriptor type, String path) {
    Descriptor at = type;
    FieldDescriptor field = null;
    for (String part : path.split("\\.")) {
      if (at == null) {
        return null;
      }
      field = DescriptorSet.field(at, part);
      if (field == null) {
        return null;
      }
      at = field.getJavaType() == FieldDescriptor.JavaType.MESSAGE ? field.getMessageType() : null;
    }
    return field;
  }

  private static String stringField(DynamicMessage message, String name) {
    FieldDescriptor f = message.getDescriptorForType().findFieldByName(name);
    return f == null || !message.hasField(f) ? "" : (String) message.getField(f);
  }

  /** Orders bindings so that the more specific template is tried first. */
  static int specificity(Binding a, Binding b) {
    return Integer.compare(b.template().literals(), a.template().literals());
  }
}
