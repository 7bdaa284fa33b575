package io.portico.config;

import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.ConsumerReferences;
import io.portico.spi.plugin.CredentialChecker;
import io.portico.spi.plugin.PluginFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses the top-level {@code consumers} section into {@link ConsumerConfig}s (names unique and
 * header-safe, custom ids, groups, credentials by kind, each kind checked by the authentication
 * plugin of that name), and checks that plugins naming consumers name existing ones.
 */
final class ConsumersSection {

  private final SectionReaders in;
  private final Problems problems;
  private final PluginRegistry factories;

  ConsumersSection(SectionReaders in, PluginRegistry factories) {
    this.in = in;
    this.problems = in.problems;
    this.factories = factories;
  }

  List<ConsumerConfig> parse(ConfigReader top) {
    List<ConsumerConfig> out = new ArrayList<>();
    Map<String, ConfigNode> names = new HashMap<>();
    for (ConfigNode item : in.listOf(top.child("consumers"), "a list of consumers")) {
      ConfigReader r = ConfigReader.of(item, problems);
      ConfigNode nameNode = r.required("name", "a non-empty name");
      String name = null;
      if (nameNode != null) {
        if (!nameNode.isScalar()
            || nameNode.scalarText().isEmpty()
            || !in.headerSafe(nameNode.scalarText())) {
          problems.expected(nameNode, "a non-empty name without control characters");
        } else {
          name = nameNode.scalarText();
          in.unique(names, name, nameNode, "consumer");
        }
      }
      String customId = r.string("custom-id", null);
      if (customId != null && !in.headerSafe(customId)) {
        r.expected("custom-id", "an id without control characters");
        customId = null;
      }
      List<String> groups = new ArrayList<>();
      for (ConfigNode group : in.stringItems(r, "groups")) {
        if (in.headerSafe(group.scalarText()) && !group.scalarText().isEmpty()) {
          groups.add(group.scalarText());
        } else {
          problems.expected(group, "a group name without control characters");
        }
      }
      Map<String, ConfigNode> credentials = new LinkedHashMap<>();
      ConfigNode creds = r.child("credentials");
      if (creds != null) {
        if (creds.isObject()) {
          credentials.putAll(creds.fields());
          checkCredentials(creds);
        } else {
          problems.expected(creds, "an object of credential-kind: config");
        }
      }
      r.finish();
      if (name != null) {
        out.add(
            new ConsumerConfig(
                name, customId, List.copyOf(groups), Collections.unmodifiableMap(credentials)));
      }
    }
    return List.copyOf(out);
  }

  /** Plugins that name consumers (an {@code anonymous} fallback) must name existing ones. */
  void checkConsumerReferences(
      List<ConsumerConfig> consumers,
      List<PluginSpec> global,
      List<ServiceConfig> services,
      List<RouteConfig> routes) {
    Set<String> names = new HashSet<>();
    for (ConsumerConfig c : consumers) {
      names.add(c.name());
    }
    List<PluginSpec> specs = new ArrayList<>(global);
    services.forEach(s -> specs.addAll(s.plugins()));
    routes.forEach(r -> specs.addAll(r.plugins()));
    for (PluginSpec spec : specs) {
      if (spec.config() != null && spec.factory() instanceof ConsumerReferences<?> references) {
        checkReferences(references, spec, names);
      }
    }
  }

  /** The factory's {@code parse} made {@code spec.config()}, so it has the factory's type. */
  @SuppressWarnings("unchecked")
  <C> void checkReferences(ConsumerReferences<C> references, PluginSpec spec, Set<String> names) {
    references.checkConsumerReferences((C) spec.config(), spec.node(), names, problems);
  }

  /**
   * Each credential kind must name a plugin; a plugin that knows its credentials checks them here,
   * so {@code portico validate} reports them.
   */
  void checkCredentials(ConfigNode creds) {
    for (Map.Entry<String, ConfigNode> e : creds.fields().entrySet()) {
      PluginFactory<?> factory = factories.find(e.getKey());
      if (factory == null) {
        java.util.Set<String> checked = new java.util.TreeSet<>();
        for (String name : factories.names()) {
          if (factories.find(name) instanceof CredentialChecker) {
            checked.add(name);
          }
        }
        String suggestion =
            io.portico.spi.config.Suggestions.closest(e.getKey(), factories.names());
        problems.atKey(
            creds,
            e.getKey(),
            "unknown credential kind \""
                + e.getKey()
                + "\" (expected: the name of an authentication plugin"
                + (checked.isEmpty() ? "" : ", such as " + String.join(", ", checked))
                + ")"
                + (suggestion == null ? "" : "; did you mean \"" + suggestion + "\"?"));
      } else if (factory instanceof CredentialChecker checker) {
        checker.checkCredentials(e.getValue(), problems);
      }
    }
  }
}
