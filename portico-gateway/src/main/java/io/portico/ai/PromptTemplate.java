package io.portico.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.portico.config.AiRouteOptions;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A prompt route's template: the client's variables (a JSON object body, and the query when the
 * route takes them from it; the body wins) checked against their declarations and put into the
 * system and user messages of a chat request to the route's model; then the model's answer made the
 * client's body, as text or as JSON checked to be JSON. Values go into the messages as text of a
 * JSON tree, so any quote or newline in them is escaped when the request is written. Immutable and
 * thread-safe.
 */
final class PromptTemplate {

  /** The chat request, or why there is none. */
  record Built(@Nullable ObjectNode request, @Nullable AiError error) {}

  /** The client's body and its content type, or why there is none. */
  record Answer(byte @Nullable [] body, String contentType, @Nullable AiError error) {}

  private final AiRouteOptions.Prompt config;

  PromptTemplate(AiRouteOptions.Prompt config) {
    this.config = config;
  }

  String model() {
    return config.model();
  }

  /** The chat request for {@code body} (null when empty) and the raw query (or null). */
  Built request(@Nullable JsonNode body, @Nullable String rawQuery) {
    if (body != null && !body.isObject()) {
      return refused(null, "invalid_json", "The request body must be a JSON object of variables.");
    }
    Map<String, String> given = new HashMap<>();
    if (config.fromQuery() && rawQuery != null) {
      for (Map.Entry<String, List<String>> e :
          new QueryStringDecoder(rawQuery, StandardCharsets.UTF_8, false, 1024, true)
              .parameters()
              .entrySet()) {
        if (!e.getValue().isEmpty()) {
          given.put(e.getKey(), e.getValue().get(0));
        }
      }
    }
    if (body != null) {
      for (Map.Entry<String, JsonNode> f : body.properties()) {
        JsonNode v = f.getValue();
        if (v.isNull()) {
          given.remove(f.getKey());
          continue;
        }
        if (!v.isValueNode()) {
          return refused(
              f.getKey(),
              "invalid_variable",
              "Variable " + f.getKey() + " must be a string, a number or a boolean.");
        }
        given.put(f.getKey(), v.asText());
      }
    }
    Map<String, String> values = new HashMap<>();
    for (AiRouteOptions.Variable v : config.variables()) {
      String value = given.remove(v.name());
      if (value == null) {
        value = v.defaultValue();
      }
      if (value == null) {
        if (v.required()) {
          return refused(v.name(), "missing_variable", "Variable " + v.name() + " is required.");
        }
        value = "";
      }
      if (v.maxLength() > 0 && value.codePointCount(0, value.length()) > v.maxLength()) {
        return refused(
            v.name(),
            "variable_too_long",
            "Variable " + v.name() + " is longer than " + v.maxLength() + " characters.");
      }
      values.put(v.name(), value);
    }
    if (!given.isEmpty()) {
      String unknown = given.keySet().stream().sorted().findFirst().orElse("");
      return refused(
          unknown,
          "unknown_variable",
          "Variable "
              + unknown
              + " is not one of this API's: "
              + String.join(
                  ", ", config.variables().stream().map(AiRouteOptions.Variable::name).toList())
              + ".");
    }
    ObjectNode request = Json.object().put("model", config.model());
    ArrayNode messages = request.putArray("messages");
    if (config.system() != null) {
      messages.addObject().put("role", "system").put("content", render(config.system(), values));
    }
    messages.addObject().put("role", "user").put("content", render(config.user(), values));
    if (config.maxTokens() > 0) {
      request.put("max_tokens", config.maxTokens());
    }
    if (!Double.isNaN(config.temperature())) {
      request.put("temperature", config.temperature());
    }
    if (config.response() == AiRouteOptions.ResponseMode.JSON) {
      request.putObject("response_format").put("type", "json_object");
    }
    return new Built(request, null);
  }

  private static String render(AiRouteOptions.Template t, Map<String, String> values) {
    List<String> parts = t.parts();
    StringBuilder out = new StringBuilder(t.text().length() + 64);
    for (int i = 0; i < parts.size(); i++) {
      out.append(i % 2 == 0 ? parts.get(i) : values.getOrDefault(parts.get(i), ""));
    }
    return out.toString();
  }

  /** The client's body from the model's chat completion. */
  Answer answer(JsonNode completion) {
    JsonNode content = completion.path("choices").path(0).path("message").path("content");
    if (!content.isTextual()) {
      return invalid("answered no text");
    }
    String text = content.asText();
    if (config.response() == AiRouteOptions.ResponseMode.TEXT) {
      return new Answer(text.getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8", null);
    }
    JsonNode json = Json.parse(unfenced(text));
    if (json == null || !(json.isObject() || json.isArray())) {
      return invalid("answered text that is not JSON");
    }
    return new Answer(Json.bytes(json), "application/json", null);
  }

  /** {@code text} without a Markdown code fence around it, as models often add one. */
  private static String unfenced(String text) {
    String t = text.strip();
    if (t.startsWith("```") && t.endsWith("```") && t.length() >= 6) {
      int line = t.indexOf('\n');
      if (line > 0) {
        return t.substring(line + 1, t.length() - 3);
      }
    }
    return t;
  }

  private Answer invalid(String what) {
    return new Answer(
        null,
        "",
        new AiError(
            HttpResponseStatus.BAD_GATEWAY,
            AiError.SERVER_ERROR,
            null,
            "invalid_model_output",
            "Model " + config.model() + " " + what + "."));
  }

  private static Built refused(@Nullable String param, String code, String message) {
    return new Built(null, AiError.badRequest(param, code, message));
  }
}
