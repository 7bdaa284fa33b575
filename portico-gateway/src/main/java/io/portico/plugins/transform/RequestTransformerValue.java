package io.portico.plugins.transform;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.Exchange;
import io.portico.template.Scope;
import io.portico.template.Template;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A JSON value that request-transformer writes into a body, compiled from config:
 *
 * <ul>
 *   <li>a quoted string is a template; one variable alone keeps its JSON type ({@link
 *       Template#renderJson}), anything else is a string;
 *   <li>an unquoted number, {@code true}, {@code false} or {@code null} is that JSON constant;
 *   <li>{@code {value: "<template>", type: string | number | boolean | json}} converts the rendered
 *       value to the type: a number from JSON number text, a boolean from {@code true} or {@code
 *       false}, JSON from JSON text.
 * </ul>
 *
 * A template whose value is missing (without a default) writes nothing: the member is left out. A
 * value that does not convert to its type is the client's mistake: {@link Unconvertible}, which the
 * plugin answers with 400.
 */
final class RequestTransformerValue {

  /** The type a value is converted to. */
  enum Type {
    AUTO,
    STRING,
    NUMBER,
    BOOLEAN,
    JSON
  }

  /** A rendered value that does not convert to its configured type. */
  static final class Unconvertible extends Exception {
    Unconvertible(String message) {
      super(message, null, false, false);
    }
  }

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Pattern NUMBER =
      Pattern.compile("-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?");
  private static final List<String> TYPES = List.of("string", "number", "boolean", "json");

  private final @Nullable JsonNode constant;
  private final @Nullable Template template;
  private final Type type;

  private RequestTransformerValue(
      @Nullable JsonNode constant, @Nullable Template template, Type type) {
    this.constant = constant;
    this.template = template;
    this.type = type;
  }

  /** Compiles {@code node}; null when a problem was reported. */
  static @Nullable RequestTransformerValue parse(ConfigNode node, Scope scope, Problems problems) {
    if (node.isNull()) {
      return new RequestTransformerValue(NODES.nullNode(), null, Type.AUTO);
    }
    if (node.isScalar()) {
      if (!node.quoted()) {
        JsonNode constant = constant(String.valueOf(node.text()));
        if (constant != null) {
          return new RequestTransformerValue(constant, null, Type.AUTO);
        }
      }
      Template template = Template.compile(node, scope, problems);
      return template == null ? null : new RequestTransformerValue(null, template, Type.AUTO);
    }
    if (node.isObject()) {
      ConfigReader reader = ConfigReader.of(node, problems);
      ConfigNode value = reader.required("value", "a template string");
      String typeName = reader.oneOf("type", "string", TYPES);
      reader.finish();
      Type type = Type.valueOf(String.valueOf(typeName).toUpperCase(Locale.ROOT));
      if (value == null) {
        return null;
      }
      Template template = Template.compile(value, scope, problems);
      return template == null ? null : new RequestTransformerValue(null, template, type);
    }
    problems.expected(
        node,
        "a template string, a number, true, false, null or {value: <template>, type: <type>}");
    return null;
  }

  private static @Nullable JsonNode constant(String text) {
    return switch (text) {
      case "true" -> NODES.booleanNode(true);
      case "false" -> NODES.booleanNode(false);
      case "null", "~" -> NODES.nullNode();
      default -> NUMBER.matcher(text).matches() ? NODES.numberNode(new BigDecimal(text)) : null;
    };
  }

  /** The value for one exchange, or null when it is missing (nothing to write). */
  @Nullable JsonNode render(Exchange exchange, @Nullable JsonNode body, ObjectMapper json)
      throws Unconvertible {
    if (template == null) {
      return constant == null ? null : constant.deepCopy();
    }
    JsonNode value = template.renderJson(exchange, body);
    if (value == null || type == Type.AUTO) {
      return value;
    }
    String text = value.isValueNode() ? value.asText() : value.toString();
    return switch (type) {
      case STRING -> value.isTextual() ? value : NODES.textNode(text);
      case NUMBER -> {
        if (value.isNumber()) {
          yield value;
        }
        if (!NUMBER.matcher(text.strip()).matches()) {
          throw new Unconvertible(quote(text) + " is not a number");
        }
        yield NODES.numberNode(new BigDecimal(text.strip()));
      }
      case BOOLEAN -> {
        if (value.isBoolean()) {
          yield value;
        }
        String t = text.strip();
        if (!t.equals("true") && !t.equals("false")) {
          throw new Unconvertible(quote(text) + " is not true or false");
        }
        yield NODES.booleanNode(t.equals("true"));
      }
      case JSON -> {
        if (!value.isTextual()) {
          yield value;
        }
        JsonNode parsed;
        try {
          parsed = json.readTree(text);
        } catch (JsonProcessingException e) {
          parsed = null;
        }
        if (parsed == null || parsed.isMissingNode()) {
          throw new Unconvertible(quote(text) + " is not JSON text");
        }
        yield parsed;
      }
      case AUTO -> value;
    };
  }

  /** A client's value in a message: quoted, and cut to 64 characters. */
  private static String quote(String text) {
    return '"' + (text.length() > 64 ? text.substring(0, 64) + "..." : text) + '"';
  }
}
