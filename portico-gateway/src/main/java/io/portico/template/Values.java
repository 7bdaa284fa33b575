package io.portico.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpResponse;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Identity;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The value of each {@link Variable} for one exchange, as text (what {@link Template#render}
 * writes) or as JSON (what {@link Template#renderJson} returns for a template that is one
 * variable). Null means missing: the template's default is written instead, or nothing.
 *
 * <p>JSON values become text as their JSON text, except that strings lose their quotes and JSON
 * {@code null} is missing. {@code consumer.groups} is the groups joined with commas.
 */
final class Values {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Values() {}

  /** The value as text, or null when missing. */
  static @Nullable String text(
      Hole hole, Exchange exchange, @Nullable JsonNode body, BackendBodies backends) {
    return switch (hole.variable()) {
      case REQUEST_ID -> exchange.requestId();
      case CLIENT_IP -> ClientAddresses.clientIp(exchange);
      case ROUTE -> exchange.routeName();
      case SERVICE -> exchange.serviceName();
      case METHOD -> exchange.request().method().name();
      case PATH -> exchange.path();
      case PATH_PARAM -> exchange.pathParameters().get(argument(hole));
      case QUERY -> {
        List<String> values = exchange.queryParameters().get(argument(hole));
        yield values == null || values.isEmpty() ? null : values.get(0);
      }
      case HEADER -> exchange.request().headers().get(header(hole));
      case CONSUMER_NAME -> {
        Identity identity = exchange.get(Identity.KEY);
        yield identity == null ? null : identity.consumer();
      }
      case CONSUMER_CUSTOM_ID -> {
        Identity identity = exchange.get(Identity.KEY);
        yield identity == null ? null : identity.customId();
      }
      case CONSUMER_GROUPS -> {
        Identity identity = exchange.get(Identity.KEY);
        yield identity == null || identity.groups().isEmpty()
            ? null
            : String.join(",", identity.groups());
      }
      case CLAIM -> {
        Object claim = claim(hole, exchange);
        yield claim == null ? null : text(toJson(claim));
      }
      case BODY -> text(bodyValue(hole, body));
      case BACKEND -> text(bodyValue(hole, backends.body(argument(hole))));
      case STATUS -> {
        HttpResponse response = exchange.response();
        yield response == null ? null : Integer.toString(response.status().code());
      }
      case RESPONSE_HEADER -> {
        HttpResponse response = exchange.response();
        yield response == null ? null : response.headers().get(header(hole));
      }
    };
  }

  /**
   * The value as JSON, keeping its type where it has one (a number, a boolean, an object from the
   * body or a claim; the groups as an array), or null when missing. Values from the body are
   * copies, so they may be inserted into the body they came from.
   */
  static @Nullable JsonNode json(
      Hole hole, Exchange exchange, @Nullable JsonNode body, BackendBodies backends) {
    return switch (hole.variable()) {
      case STATUS -> {
        HttpResponse response = exchange.response();
        yield response == null ? null : NODES.numberNode(response.status().code());
      }
      case CONSUMER_GROUPS -> {
        Identity identity = exchange.get(Identity.KEY);
        if (identity == null || identity.groups().isEmpty()) {
          yield null;
        }
        ArrayNode groups = NODES.arrayNode();
        identity.groups().forEach(groups::add);
        yield groups;
      }
      case CLAIM -> {
        Object claim = claim(hole, exchange);
        JsonNode value = claim == null ? null : toJson(claim);
        yield value == null || value.isNull() ? null : value;
      }
      case BODY -> {
        JsonNode value = bodyValue(hole, body);
        yield value == null ? null : value.deepCopy();
      }
      case BACKEND -> {
        JsonNode value = bodyValue(hole, backends.body(argument(hole)));
        yield value == null ? null : value.deepCopy();
      }
      default -> {
        String text = text(hole, exchange, body, backends);
        yield text == null ? null : NODES.textNode(text);
      }
    };
  }

  /** The text of a JSON value: strings unquoted, containers as JSON; null for missing or null. */
  static @Nullable String text(@Nullable JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return null;
    }
    return value.isValueNode() ? value.asText() : value.toString();
  }

  private static @Nullable JsonNode bodyValue(Hole hole, @Nullable JsonNode body) {
    if (body == null) {
      return null;
    }
    JsonNode value = hole.pointer() == null ? body : body.at(hole.pointer());
    return value.isMissingNode() || value.isNull() ? null : value;
  }

  private static @Nullable Object claim(Hole hole, Exchange exchange) {
    Identity identity = exchange.get(Identity.KEY);
    return identity == null ? null : identity.claims().get(argument(hole));
  }

  /**
   * A claim as JSON: the shapes a verified token's claims take (strings, numbers, booleans, lists,
   * maps), dates as seconds since the epoch as in the token.
   */
  static JsonNode toJson(@Nullable Object value) {
    if (value == null) {
      return NODES.nullNode();
    }
    if (value instanceof JsonNode node) {
      return node;
    }
    if (value instanceof String s) {
      return NODES.textNode(s);
    }
    if (value instanceof Boolean b) {
      return NODES.booleanNode(b);
    }
    if (value instanceof Integer || value instanceof Long || value instanceof Short) {
      return NODES.numberNode(((Number) value).longValue());
    }
    if (value instanceof BigInteger n) {
      return NODES.numberNode(n);
    }
    if (value instanceof BigDecimal n) {
      return NODES.numberNode(n);
    }
    if (value instanceof Number n) {
      return NODES.numberNode(n.doubleValue());
    }
    if (value instanceof Date d) {
      return NODES.numberNode(d.getTime() / 1000);
    }
    if (value instanceof Map<?, ?> map) {
      ObjectNode object = NODES.objectNode();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        object.set(String.valueOf(e.getKey()), toJson(e.getValue()));
      }
      return object;
    }
    if (value instanceof Collection<?> items) {
      ArrayNode array = NODES.arrayNode();
      for (Object item : items) {
        array.add(toJson(item));
      }
      return array;
    }
    if (value instanceof Object[] items) {
      return toJson(Arrays.asList(items));
    }
    return NODES.textNode(value.toString());
  }

  private static String argument(Hole hole) {
    String argument = hole.argument();
    if (argument == null) {
      throw new IllegalStateException(hole.written() + " compiled without its name");
    }
    return argument;
  }

  private static CharSequence header(Hole hole) {
    CharSequence header = hole.header();
    if (header == null) {
      throw new IllegalStateException(hole.written() + " compiled without its header name");
    }
    return header;
  }
}
