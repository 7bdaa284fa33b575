package io.portico.plugins.builtin;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads lists and maps of strings keeping each value's node, so that a check on one value reports
 * the value's own path ({@code cors.allow-origins[2]}, {@code request-headers.set.X-Tenant}).
 */
public final class ConfigValues {

  private ConfigValues() {}

  /**
   * The scalar items of a list of strings; a single scalar reads as a one-item list. Absent reads
   * as empty; anything else is reported.
   */
  public static List<ConfigNode> strings(ConfigReader reader, String key) {
    ConfigNode child = reader.child(key);
    if (child == null) {
      return List.of();
    }
    if (child.isScalar()) {
      return List.of(child);
    }
    if (!child.isList()) {
      reader.problems().expected(child, "a list of strings");
      return List.of();
    }
    List<ConfigNode> out = new ArrayList<>();
    for (ConfigNode item : child.items()) {
      if (item.isScalar()) {
        out.add(item);
      } else {
        reader.problems().expected(item, "a string");
      }
    }
    return out;
  }

  /** The scalar values of an object of {@code name: value}, in document order. */
  public static Map<String, ConfigNode> stringMap(ConfigReader reader, String key) {
    ConfigNode child = reader.child(key);
    if (child == null) {
      return Map.of();
    }
    if (!child.isObject()) {
      reader.problems().expected(child, "an object of name: value");
      return Map.of();
    }
    Map<String, ConfigNode> out = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigNode> e : child.fields().entrySet()) {
      ConfigNode value = e.getValue();
      if (value.isScalar()) {
        out.put(e.getKey(), value);
      } else if (value.isNull()) {
        out.put(e.getKey(), ConfigNode.scalar(value.path(), value.location(), "", true));
      } else {
        reader.problems().expected(value, "a string");
      }
    }
    return out;
  }

  /**
   * Checks a header name used as a key or an item: a token, and not one the gateway manages.
   * Reports against {@code node} and returns whether the name is usable.
   */
  public static boolean checkHeaderName(String name, ConfigNode node, Problems problems) {
    if (!HeaderRules.isToken(name)) {
      problems.at(node, '"' + name + "\" (expected: " + HeaderRules.NAME_RULE + ")");
      return false;
    }
    if (HeaderRules.isManaged(name)) {
      problems.at(node, '"' + name + "\" (expected: " + HeaderRules.MANAGED_RULE + ")");
      return false;
    }
    return true;
  }
}
