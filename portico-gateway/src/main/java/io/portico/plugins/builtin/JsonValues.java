package io.portico.plugins.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portico.spi.config.ConfigNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns a config value into a Jackson tree, for plugins that answer with configured JSON.
 *
 * <p>Quoted scalars are strings. Unquoted {@code true}/{@code false} are booleans, {@code null}
 * (and {@code ~}) is null, JSON numbers are numbers (integers stay exact), and any other text is a
 * string.
 */
final class JsonValues {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Pattern INTEGER = Pattern.compile("-?(?:0|[1-9][0-9]*)");
  private static final Pattern NUMBER =
      Pattern.compile("-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?");

  private JsonValues() {}

  static JsonNode of(ConfigNode node) {
    return switch (node.kind()) {
      case NULL -> NODES.nullNode();
      case OBJECT -> {
        ObjectNode object = NODES.objectNode();
        for (Map.Entry<String, ConfigNode> e : node.fields().entrySet()) {
          object.set(e.getKey(), of(e.getValue()));
        }
        yield object;
      }
      case LIST -> {
        ArrayNode array = NODES.arrayNode();
        for (ConfigNode item : node.items()) {
          array.add(of(item));
        }
        yield array;
      }
      case SCALAR -> scalar(node);
    };
  }

  private static JsonNode scalar(ConfigNode node) {
    String text = node.scalarText();
    if (node.quoted()) {
      return NODES.textNode(text);
    }
    switch (text) {
      case "true":
        return NODES.booleanNode(true);
      case "false":
        return NODES.booleanNode(false);
      case "null":
      case "~":
        return NODES.nullNode();
      default:
        break;
    }
    if (INTEGER.matcher(text).matches()) {
      BigInteger value = new BigInteger(text);
      return value.bitLength() < 64 ? NODES.numberNode(value.longValue()) : NODES.numberNode(value);
    }
    if (NUMBER.matcher(text).matches()) {
      return DecimalNode.valueOf(new BigDecimal(text));
    }
    return NODES.textNode(text);
  }
}
