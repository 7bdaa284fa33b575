package io.portico.plugins.transform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.portico.template.Encodings;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * {@code application/x-www-form-urlencoded} bodies as JSON objects and back, for
 * request-transformer: a field becomes a string member, a repeated field an array of strings, in
 * order. Back to a form, strings, numbers and booleans are written as text, an array as the field
 * repeated, an object as its JSON text, and {@code null} not at all.
 */
final class RequestTransformerForms {

  /** The most fields a form body may hold (as Netty's query decoder allows by default). */
  static final int MAX_FIELDS = 1024;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private RequestTransformerForms() {}

  /** The fields of a form body (UTF-8; {@code +} is a space) as an object. */
  static ObjectNode toJson(String form) {
    ObjectNode out = NODES.objectNode();
    Map<String, List<String>> fields =
        new QueryStringDecoder(form, StandardCharsets.UTF_8, false, MAX_FIELDS).parameters();
    for (Map.Entry<String, List<String>> e : fields.entrySet()) {
      List<String> values = e.getValue();
      if (values.size() == 1) {
        out.put(e.getKey(), values.get(0));
      } else {
        ArrayNode array = out.putArray(e.getKey());
        values.forEach(array::add);
      }
    }
    return out;
  }

  /** An object's members as a form body. */
  static String toForm(ObjectNode object) {
    StringBuilder out = new StringBuilder(64);
    for (Map.Entry<String, JsonNode> member : object.properties()) {
      JsonNode value = member.getValue();
      if (value.isArray()) {
        for (JsonNode item : value) {
          field(out, member.getKey(), item);
        }
      } else {
        field(out, member.getKey(), value);
      }
    }
    return out.toString();
  }

  private static void field(StringBuilder out, String name, JsonNode value) {
    if (value.isNull()) {
      return;
    }
    if (out.length() > 0) {
      out.append('&');
    }
    Encodings.appendUriComponent(out, name);
    out.append('=');
    Encodings.appendUriComponent(out, value.isValueNode() ? value.asText() : value.toString());
  }
}
