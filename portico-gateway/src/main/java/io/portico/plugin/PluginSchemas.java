package io.portico.plugin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.DurationHint;
import io.portico.spi.config.Location;
import io.portico.spi.config.Problem;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.PluginFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * Checks a plugin's published config schema ({@link PluginFactory#configSchema()}) against the
 * plugin itself, so that the schema the admin API serves and the console renders stays true:
 *
 * <ul>
 *   <li>{@link #validate} checks a config against the schema subset the SPI documents (type,
 *       properties, required, additionalProperties, items, enum, minimum, maximum, pattern, format
 *       duration);
 *   <li>{@link #keysRead} runs the factory's {@code parse} on a config with an extra probe key in
 *       every object and reads, from the unknown-key problems, which keys {@code parse} read at
 *       each place;
 *   <li>{@link #check} combines both for a factory and example configs: every key the plugin reads
 *       is in its schema and every example is valid under it.
 * </ul>
 *
 * Every problem is one line {@code <plugin>: <path>: <message>}. Used by the gateway's tests of the
 * built-in plugins and by the testkit for third-party plugins; the gateway itself never validates a
 * config with a schema ({@code parse} remains the authority).
 */
public final class PluginSchemas {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PROBE = "x-schema-probe";
  private static final Pattern UNKNOWN =
      Pattern.compile("unknown key \"" + PROBE + "\" \\(expected one of: ([^)]*)\\)");
  private static final Location HERE = new Location("schema-check", 0, 0);

  private PluginSchemas() {}

  /** The factory's schema as a JSON tree; null when it publishes none. */
  public static @Nullable JsonNode schemaOf(PluginFactory<?> factory) {
    String text = factory.configSchema();
    if (text == null) {
      return null;
    }
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "the schema of plugin \"" + factory.name() + "\" is not JSON: " + e.getOriginalMessage(),
          e);
    }
  }

  /**
   * Every problem of a factory's schema and examples: no schema, a schema that is not JSON, an
   * example that the schema refuses, a key that {@code parse} reads (with the examples and with the
   * schema's own objects filled in) that the schema does not describe.
   */
  public static List<String> check(PluginFactory<?> factory, List<JsonNode> examples) {
    String name = factory.name();
    List<String> out = new ArrayList<>();
    JsonNode schema;
    try {
      schema = schemaOf(factory);
    } catch (IllegalArgumentException e) {
      return List.of(name + ": " + e.getMessage());
    }
    if (schema == null) {
      return List.of(name + ": publishes no config schema (expected: " + name + ".schema.json)");
    }
    List<JsonNode> configs = new ArrayList<>(examples);
    configs.add(skeleton(schema));
    for (JsonNode example : examples) {
      for (String p : validate(schema, example)) {
        out.add(name + ": example " + example + ": " + p);
      }
    }
    Set<String> reported = new TreeSet<>();
    for (JsonNode config : configs) {
      for (Map.Entry<String, Set<String>> e : keysRead(factory, config).entrySet()) {
        JsonNode at = schemaAt(schema, e.getKey());
        for (String key : e.getValue()) {
          if (at != null && !declares(at, key)) {
            String where = e.getKey().isEmpty() ? key : e.getKey() + "." + key;
            if (reported.add(where)) {
              out.add(name + ": " + where + ": read by the plugin but not in its schema");
            }
          }
        }
      }
    }
    return out;
  }

  /**
   * The problems of {@code value} under {@code schema}, each {@code <path>: <value> (expected:
   * <rule>)}, the path as in config problems ({@code limits[0].window}; empty for the root).
   */
  public static List<String> validate(JsonNode schema, JsonNode value) {
    List<String> out = new ArrayList<>();
    validate(schema, value, "", out);
    return out;
  }

  private static void validate(JsonNode schema, JsonNode value, String path, List<String> out) {
    String at = path.isEmpty() ? "" : path + ": ";
    JsonNode type = schema.get("type");
    if (type != null && !typeMatches(type, value)) {
      out.add(at + describe(value) + " (expected: " + type.toString().replace("\"", "") + ")");
      return;
    }
    JsonNode allowed = schema.get("enum");
    if (allowed != null && allowed.isArray() && !contains(allowed, value)) {
      out.add(at + describe(value) + " (expected one of: " + allowed + ")");
    }
    if (value.isNumber()) {
      JsonNode min = schema.get("minimum");
      JsonNode max = schema.get("maximum");
      if (min != null && value.decimalValue().compareTo(min.decimalValue()) < 0) {
        out.add(at + value + " (expected: at least " + min + ")");
      }
      if (max != null && value.decimalValue().compareTo(max.decimalValue()) > 0) {
        out.add(at + value + " (expected: at most " + max + ")");
      }
    }
    if (value.isTextual()) {
      JsonNode pattern = schema.get("pattern");
      if (pattern != null && !matches(pattern.asText(), value.asText())) {
        out.add(at + describe(value) + " (expected: matching " + pattern.asText() + ")");
      }
      JsonNode format = schema.get("format");
      if (format != null
          && format.asText().equals("duration")
          && !value.asText().contains("${")
          && ConfigReader.parseDuration(value.asText()) == null) {
        String fix = DurationHint.of(value.asText());
        out.add(
            at
                + describe(value)
                + " (expected: a duration such as 500ms, 10s, 5m"
                + (fix == null ? "" : fix)
                + ")");
      }
    }
    if (value.isObject()) {
      JsonNode properties = schema.path("properties");
      JsonNode required = schema.get("required");
      if (required != null) {
        for (JsonNode r : required) {
          if (!value.has(r.asText()) || value.get(r.asText()).isNull()) {
            out.add(join(path, r.asText()) + ": missing (expected: required)");
          }
        }
      }
      JsonNode additional = schema.get("additionalProperties");
      for (Map.Entry<String, JsonNode> field : value.properties()) {
        if (field.getValue().isNull()) {
          continue;
        }
        JsonNode sub = properties.get(field.getKey());
        if (sub != null) {
          validate(sub, field.getValue(), join(path, field.getKey()), out);
        } else if (additional != null && additional.isObject()) {
          validate(additional, field.getValue(), join(path, field.getKey()), out);
        } else if (additional != null && additional.isBoolean() && !additional.asBoolean()) {
          out.add(
              join(path, field.getKey())
                  + ": unknown key (expected one of: "
                  + names(properties)
                  + ")");
        }
      }
    }
    if (value.isArray() && schema.get("items") != null) {
      for (int i = 0; i < value.size(); i++) {
        validate(schema.get("items"), value.get(i), path + "[" + i + "]", out);
      }
    }
  }

  private static boolean typeMatches(JsonNode type, JsonNode value) {
    if (type.isArray()) {
      for (JsonNode t : type) {
        if (typeMatches(t, value)) {
          return true;
        }
      }
      return false;
    }
    return switch (type.asText()) {
      case "object" -> value.isObject();
      case "array" -> value.isArray();
      case "string" -> value.isTextual();
      case "integer" ->
          value.isIntegralNumber()
              || (value.isNumber() && value.decimalValue().stripTrailingZeros().scale() <= 0);
      case "number" -> value.isNumber();
      case "boolean" -> value.isBoolean();
      case "null" -> value.isNull();
      default -> true;
    };
  }

  private static boolean contains(JsonNode allowed, JsonNode value) {
    for (JsonNode a : allowed) {
      if (a.equals(value)
          || (a.isTextual() && value.isValueNode() && a.asText().equals(value.asText()))) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(String pattern, String text) {
    try {
      return Pattern.compile(pattern).matcher(text).find();
    } catch (PatternSyntaxException e) {
      return true;
    }
  }

  private static String describe(JsonNode value) {
    if (value.isObject()) {
      return "an object";
    }
    if (value.isArray()) {
      return "a list";
    }
    return value.toString();
  }

  private static String names(JsonNode properties) {
    List<String> names = new ArrayList<>();
    properties.fieldNames().forEachRemaining(names::add);
    return String.join(", ", names);
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /**
   * Which keys {@code parse} read in each object of {@code config}: the factory parses a copy with
   * a probe key added to every object, and the unknown-key problem of each probe names the keys
   * read there. An object whose reader the plugin never finished (a free-form map) names nothing.
   */
  public static Map<String, Set<String>> keysRead(PluginFactory<?> factory, JsonNode config) {
    Problems problems = new Problems();
    ConfigNode node = probed(config, "");
    try {
      ConfigReader reader = ConfigReader.of(node, problems);
      factory.parse(reader);
      reader.finish();
    } catch (RuntimeException e) {
      // A plugin that throws is reported by the config parser; what was read before still counts.
    }
    Map<String, Set<String>> out = new TreeMap<>();
    for (Problem p : problems.list()) {
      Matcher m = UNKNOWN.matcher(p.message());
      if (m.find() && p.path().endsWith(PROBE)) {
        String at = p.path().substring(0, p.path().length() - PROBE.length());
        at = at.endsWith(".") ? at.substring(0, at.length() - 1) : at;
        Set<String> keys = new TreeSet<>();
        for (String k : m.group(1).split(", ")) {
          if (!k.isBlank()) {
            keys.add(k.trim());
          }
        }
        out.computeIfAbsent(at, k -> new TreeSet<>()).addAll(keys);
      }
    }
    return out;
  }

  private static ConfigNode probed(JsonNode value, String path) {
    if (value.isObject()) {
      Map<String, ConfigNode> fields = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> f : value.properties()) {
        fields.put(f.getKey(), probed(f.getValue(), join(path, f.getKey())));
      }
      fields.put(PROBE, ConfigNode.scalar(join(path, PROBE), HERE, "1", false));
      return ConfigNode.object(path, HERE, fields);
    }
    if (value.isArray()) {
      List<ConfigNode> items = new ArrayList<>();
      for (int i = 0; i < value.size(); i++) {
        items.add(probed(value.get(i), path + "[" + i + "]"));
      }
      return ConfigNode.list(path, HERE, items);
    }
    if (value.isNull()) {
      return ConfigNode.nullNode(path, HERE);
    }
    return ConfigNode.scalar(path, HERE, value.asText(), value.isTextual());
  }

  /**
   * A config with an empty object (or a list of one) for every object the schema describes, so that
   * {@link #keysRead} looks into each of them.
   */
  private static JsonNode skeleton(JsonNode schema) {
    com.fasterxml.jackson.databind.node.ObjectNode out = JSON.createObjectNode();
    for (Map.Entry<String, JsonNode> p : schema.path("properties").properties()) {
      JsonNode sub = p.getValue();
      if (hasType(sub, "object") && sub.has("properties")) {
        out.set(p.getKey(), skeleton(sub));
      } else if (hasType(sub, "array") && sub.path("items").has("properties")) {
        out.set(p.getKey(), JSON.createArrayNode().add(skeleton(sub.get("items"))));
      }
    }
    return out;
  }

  private static boolean hasType(JsonNode schema, String type) {
    JsonNode t = schema.path("type");
    if (t.isArray()) {
      for (JsonNode x : t) {
        if (x.asText().equals(type)) {
          return true;
        }
      }
      return false;
    }
    return t.asText().equals(type);
  }

  /** The schema of the value at a config path ({@code a.b[0].c}); null when it has none. */
  private static @Nullable JsonNode schemaAt(JsonNode schema, String path) {
    JsonNode at = schema;
    if (path.isEmpty()) {
      return at;
    }
    for (String part : path.split("\\.")) {
      String key = part;
      int bracket = part.indexOf('[');
      int lists = 0;
      if (bracket >= 0) {
        key = part.substring(0, bracket);
        lists = (part.length() - part.replace("[", "").length());
      }
      if (!key.isEmpty()) {
        JsonNode next = at.path("properties").get(key);
        if (next == null) {
          JsonNode additional = at.get("additionalProperties");
          if (additional == null || !additional.isObject()) {
            return null;
          }
          next = additional;
        }
        at = next;
      }
      for (int i = 0; i < lists; i++) {
        JsonNode items = at.get("items");
        if (items == null) {
          return null;
        }
        at = items;
      }
    }
    return at;
  }

  private static boolean declares(JsonNode schema, String key) {
    return schema.path("properties").has(key) || schema.path("additionalProperties").isObject();
  }
}
