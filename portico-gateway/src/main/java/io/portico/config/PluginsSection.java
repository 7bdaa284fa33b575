package io.portico.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.portico.plugin.PluginRegistry;
import io.portico.plugin.PluginSchemas;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problem;
import io.portico.spi.config.Problems;
import io.portico.spi.config.Suggestions;
import io.portico.spi.plugin.PluginFactory;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Parses a {@code plugins} map (global, a service's or a route's) into {@link PluginSpec}s: each
 * entry's factory found in the plugin registry by its name, its config parsed by the factory and
 * checked for unknown keys, every problem recorded.
 */
final class PluginsSection {

  private final SectionReaders in;
  private final Problems problems;
  private final PluginRegistry factories;

  PluginsSection(SectionReaders in, PluginRegistry factories) {
    this.in = in;
    this.problems = in.problems;
    this.factories = factories;
  }

  List<PluginSpec> parse(@Nullable ConfigNode node) {
    if (node == null) {
      return List.of();
    }
    if (!node.isObject()) {
      problems.expected(
          node,
          node.isList()
              ? "an object of plugin-name: config, each plugin on its own line without a leading"
                  + " dash"
                  + listedNames(node)
              : "an object of plugin-name: config");
      return List.of();
    }
    List<PluginSpec> out = new ArrayList<>();
    List<PluginFactory<?>> above = new ArrayList<>();
    for (Map.Entry<String, ConfigNode> e : node.fields().entrySet()) {
      String name = e.getKey();
      ConfigNode config = e.getValue();
      PluginFactory<?> factory = factories.find(name);
      if (factory == null && problems.full()) {
        problems.countNotKept(1);
        continue;
      }
      if (factory == null) {
        String foreign = ForeignPlugins.hint(name);
        String hint = foreign == null ? Suggestions.closest(name, factories.names()) : null;
        String owner = hint == null && foreign == null ? ownerAbove(name, above) : null;
        problems.atKey(
            node,
            name,
            "unknown plugin \""
                + name
                + (factories.names().isEmpty()
                    ? "\" (expected: an installed plugin; none is installed)"
                    : "\" (expected one of: " + ConfigParser.join(factories.names()) + ")")
                + (hint == null ? "" : "; did you mean \"" + hint + "\"?")
                + (foreign == null ? "" : "; " + foreign)
                + (owner == null
                    ? ""
                    : "; \"" + name + "\" is a key of " + owner + ": indent it under " + owner));
        continue;
      }
      above.add(factory);
      config = unwrapped(name, factory, config);
      Object parsed = parsePlugin(name, factory, config);
      if (parsed != null) {
        out.add(new PluginSpec(name, factory, parsed, config));
      }
    }
    return List.copyOf(out);
  }

  /**
   * The names of a plugin list written the Kong way ({@code - name: key-auth} with its {@code
   * config:}), as bare names, or with a dash before each {@code name: config}, as the object to
   * write instead: {@code ", such as plugins: { key-auth: {...}, cors: {...} }"}; empty when no
   * item names a plugin.
   */
  private static String listedNames(ConfigNode list) {
    List<String> names = new ArrayList<>();
    for (ConfigNode item : list.items()) {
      if (item.isScalar()) {
        names.add(item.scalarText());
        continue;
      }
      if (!item.isObject()) {
        continue;
      }
      ConfigNode name = item.fields().get("name");
      if (name != null && name.isScalar()) {
        names.add(name.scalarText());
      } else if (item.fields().size() == 1) {
        names.add(item.fields().keySet().iterator().next());
      }
    }
    if (names.isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder(", such as plugins: { ");
    for (int i = 0; i < names.size(); i++) {
      b.append(i == 0 ? "" : ", ").append(names.get(i)).append(": {...}");
    }
    return b.append(" }").toString();
  }

  /**
   * The plugin written above an unknown name whose config has a key of that name: the usual slip is
   * a plugin's key written at the plugin's own indentation ({@code key-auth:} then {@code
   * header-names:} under it, not inside it).
   */
  private static @Nullable String ownerAbove(String key, List<PluginFactory<?>> above) {
    for (int i = above.size() - 1; i >= 0; i--) {
      JsonNode schema;
      try {
        schema = PluginSchemas.schemaOf(above.get(i));
      } catch (IllegalArgumentException e) {
        continue; // a third-party plugin whose schema is not JSON gives no hint
      }
      if (schema != null && schema.path("properties").has(key)) {
        return above.get(i).name();
      }
    }
    return null;
  }

  /**
   * A plugin's settings written inside Kong's {@code config:} ({@code key-auth: { config: { ... }
   * }}) for a plugin whose schema has no {@code config} key: the wrapper is reported once, at its
   * key, and the settings inside are read as the plugin's, so that their own problems are reported
   * in the same pass. Any other config is returned as it is.
   */
  private ConfigNode unwrapped(String name, PluginFactory<?> factory, ConfigNode config) {
    ConfigNode inner = config.isObject() ? config.fields().get("config") : null;
    if (inner == null
        || !(inner.isObject() || inner.isNull())
        || !config.fields().keySet().stream()
            .allMatch(k -> k.equals("config") || k.equals("enabled"))) {
      return config;
    }
    JsonNode schema;
    try {
      schema = PluginSchemas.schemaOf(factory);
    } catch (IllegalArgumentException e) {
      return config;
    }
    if (schema == null || schema.path("properties").has("config")) {
      return config;
    }
    problems.atKey(
        config,
        "config",
        "a config: level (expected: the plugin's settings directly under "
            + name
            + ":, as "
            + name
            + ": { ... }, without config:)");
    if (config.fields().containsKey("enabled")) {
      problems.atKey(
          config,
          "enabled",
          "enabled (expected: no enabled key: a plugin written is on; remove it to turn it off)");
    }
    return inner.isNull() ? ConfigNode.emptyObject(inner.path(), inner.location()) : inner;
  }

  /**
   * Runs the factory on its own problems, so a factory that also calls finish() is harmless, and
   * keeps what it returned only when no problem was recorded (the contract of {@link
   * PluginFactory#parse}).
   */
  @Nullable Object parsePlugin(String name, PluginFactory<?> factory, ConfigNode config) {
    Problems own =
        problems.keeps() == Integer.MAX_VALUE ? new Problems() : Problems.keeping(problems.keeps());
    Object parsed = null;
    try {
      ConfigReader reader = ConfigReader.of(config, own);
      parsed = factory.parse(reader);
      reader.finish();
    } catch (RuntimeException e) {
      own.at(
          config, "plugin \"" + name + "\" failed to read its config (expected: no error): " + e);
    }
    Set<Problem> distinct = new LinkedHashSet<>(own.list());
    distinct.forEach(problems::add);
    problems.countNotKept(own.notKept());
    if (parsed == null && distinct.isEmpty()) {
      problems.at(config, "plugin \"" + name + "\" rejected its config without saying why");
    }
    return distinct.isEmpty() ? parsed : null;
  }
}
