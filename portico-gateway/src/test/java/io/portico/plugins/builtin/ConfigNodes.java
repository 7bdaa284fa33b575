package io.portico.plugins.builtin;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.Location;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds {@link ConfigNode} trees from Java literals, with the paths a loader would give them.
 * Strings become quoted scalars, numbers and booleans unquoted ones ({@link #plain} for unquoted
 * text), {@code null} a null node. Locations are unknown, so problems render as {@code path:
 * message}.
 */
final class ConfigNodes {

  /** Unquoted scalar text, as YAML's {@code key: value} without quotes. */
  record Plain(String text) {}

  private ConfigNodes() {}

  static Plain plain(String text) {
    return new Plain(text);
  }

  /** An ordered map from alternating keys and values. */
  static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      out.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return out;
  }

  /** A list that may hold nulls. */
  static List<Object> list(Object... items) {
    List<Object> out = new ArrayList<>();
    for (Object item : items) {
      out.add(item);
    }
    return out;
  }

  static ConfigNode of(String path, Object value) {
    Location at = Location.UNKNOWN;
    if (value == null) {
      return ConfigNode.nullNode(path, at);
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, ConfigNode> fields = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String key = (String) e.getKey();
        fields.put(key, of(path.isEmpty() ? key : path + "." + key, e.getValue()));
      }
      return ConfigNode.object(path, at, fields);
    }
    if (value instanceof List<?> list) {
      List<ConfigNode> items = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        items.add(of(path + "[" + i + "]", list.get(i)));
      }
      return ConfigNode.list(path, at, items);
    }
    if (value instanceof String text) {
      return ConfigNode.scalar(path, at, text, true);
    }
    if (value instanceof Plain plain) {
      return ConfigNode.scalar(path, at, plain.text(), false);
    }
    return ConfigNode.scalar(path, at, value.toString(), false);
  }
}
