package io.portico.ai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/** The one Jackson mapper of the AI gateway (thread-safe) and small tree helpers. */
final class Json {

  static final ObjectMapper MAPPER = new ObjectMapper();

  private static final ObjectReader WHOLE =
      MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Json() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  static ArrayNode array() {
    return MAPPER.createArrayNode();
  }

  static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }

  static String text(JsonNode node) {
    return new String(bytes(node), StandardCharsets.UTF_8);
  }

  /** Parses {@code text}, or null when it is not JSON. */
  static @Nullable JsonNode parse(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  /**
   * Parses {@code text} as one JSON value and nothing after it, or null: {@code {...}\ndata: {...}}
   * (an event with a second data line) is not JSON, where {@link #parse} would read the first
   * object and ignore the rest.
   */
  static @Nullable JsonNode parseWhole(String text) {
    try {
      return WHOLE.readTree(text);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  /** The text of a string field, or null. */
  static @Nullable String string(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
  }

  /** The content of an OpenAI message as text: a string, or the text parts of an array joined. */
  static String contentText(@Nullable JsonNode content) {
    if (content == null || content.isNull()) {
      return "";
    }
    if (content.isTextual()) {
      return content.asText();
    }
    StringBuilder b = new StringBuilder();
    if (content.isArray()) {
      for (JsonNode part : content) {
        if ("text".equals(string(part, "type")) && part.has("text")) {
          b.append(part.get("text").asText());
        }
      }
    }
    return b.toString();
  }
}
