package io.portico.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.portico.spi.plugin.PluginFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps the built-in plugins' config schemas honest: every built-in plugin publishes one, every key
 * its {@code parse} reads is in it, and every example config of the plugin's page in {@code
 * docs/plugins} is valid under it.
 */
class BuiltInPluginSchemasTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern BLOCK = Pattern.compile("```ya?ml\\n(.*?)```", Pattern.DOTALL);
  private static final Path DOCS = Path.of("..", "docs", "plugins");

  private static List<PluginFactory<?>> builtIns() {
    List<PluginFactory<?>> out = new ArrayList<>();
    for (PluginFactory<?> f : ServiceLoader.load(PluginFactory.class)) {
      String source = f.getClass().getProtectionDomain().getCodeSource().getLocation().toString();
      if (f.getClass().getName().startsWith("io.portico.plugins.")
          && !source.contains("test-classes")) {
        out.add(f);
      }
    }
    return out;
  }

  @Test
  void everyBuiltInPluginPublishesASchemaThatCoversWhatItReadsAndItsDocumentedExamples()
      throws IOException {
    List<PluginFactory<?>> factories = builtIns();
    assertThat(factories).hasSizeGreaterThanOrEqualTo(25);
    List<String> problems = new ArrayList<>();
    int examples = 0;
    for (PluginFactory<?> factory : factories) {
      List<JsonNode> documented = examples(factory.name());
      examples += documented.size();
      problems.addAll(PluginSchemas.check(factory, documented));
    }
    assertThat(problems).isEmpty();
    assertThat(examples).isGreaterThan(factories.size());
  }

  @Test
  void eachSchemaIsAnObjectSchemaOfTheDraftThePluginsUse() {
    for (PluginFactory<?> factory : builtIns()) {
      JsonNode schema = PluginSchemas.schemaOf(factory);
      assertThat(schema).as(factory.name()).isNotNull();
      assertThat(schema.path("$schema").asText())
          .as(factory.name())
          .isEqualTo("https://json-schema.org/draft/2020-12/schema");
      assertThat(schema.path("type").asText()).as(factory.name()).isEqualTo("object");
      assertThat(schema.path("title").asText()).as(factory.name()).isEqualTo(factory.name());
    }
  }

  @Test
  void validationReportsTheFirstBrokenRuleAtItsPath() throws IOException {
    PluginFactory<?> rateLimit =
        builtIns().stream().filter(f -> f.name().equals("rate-limit")).findFirst().orElseThrow();
    JsonNode schema = PluginSchemas.schemaOf(rateLimit);
    assertThat(schema).isNotNull();
    JsonNode bad =
        YAML.readTree(
            "limits: [ { requests: many, window: soon } ]\nalgorithm: leaky\nunknown: 1\n");
    assertThat(PluginSchemas.validate(schema, bad))
        .contains(
            "limits[0].requests: \"many\" (expected: integer)",
            "limits[0].window: \"soon\" (expected: a duration such as 500ms, 10s, 5m)")
        .anyMatch(p -> p.startsWith("algorithm: \"leaky\" (expected one of: "))
        .anyMatch(p -> p.startsWith("unknown: unknown key"));
    assertThat(PluginSchemas.validate(schema, YAML.readTree("algorithm: fixed-window\n")))
        .containsExactly("limits: missing (expected: required)");
  }

  @Test
  void aDurationWrittenAsWordsIsToldHowToWriteIt() throws IOException {
    PluginFactory<?> rateLimit =
        builtIns().stream().filter(f -> f.name().equals("rate-limit")).findFirst().orElseThrow();
    JsonNode schema = PluginSchemas.schemaOf(rateLimit);
    assertThat(schema).isNotNull();
    assertThat(
            PluginSchemas.validate(
                schema, YAML.readTree("limits: [ { requests: 1, window: \"1 minute\" } ]\n")))
        .containsExactly(
            "limits[0].window: \"1 minute\" (expected: a duration such as 500ms, 10s, 5m;"
                + " write 1m)");
  }

  @Test
  void keysReadAreFoundInEveryObjectThePluginFinishes() throws IOException {
    PluginFactory<?> rateLimit =
        builtIns().stream().filter(f -> f.name().equals("rate-limit")).findFirst().orElseThrow();
    Map<String, java.util.Set<String>> read =
        PluginSchemas.keysRead(
            rateLimit,
            YAML.readTree(
                "limits: [ { requests: 1, window: 1s } ]\npolicy: redis\nredis: { url: x }\n"));
    assertThat(read.get("")).contains("limits", "algorithm", "policy", "redis", "headers");
    assertThat(read.get("limits[0]")).contains("requests", "window", "burst");
    assertThat(read.get("redis")).contains("url", "on-failure");
  }

  /** The configs of {@code name} in the YAML examples of its page (under any {@code plugins}). */
  private static List<JsonNode> examples(String name) throws IOException {
    Path page = DOCS.resolve(name + ".md");
    List<JsonNode> out = new ArrayList<>();
    if (!Files.exists(page)) {
      return out;
    }
    Matcher m = BLOCK.matcher(Files.readString(page));
    while (m.find()) {
      JsonNode tree;
      try {
        tree = YAML.readTree(m.group(1));
      } catch (IOException e) {
        continue; // a fragment, not a document
      }
      if (tree != null) {
        collect(tree, name, out);
      }
    }
    return out;
  }

  private static void collect(JsonNode node, String name, List<JsonNode> out) {
    if (node.isObject()) {
      JsonNode plugins = node.get("plugins");
      if (plugins != null && plugins.isObject() && plugins.has(name)) {
        JsonNode config = plugins.get(name);
        out.add(config.isNull() ? YAML.createObjectNode() : config);
      }
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        collect(field.getValue(), name, out);
      }
    } else if (node.isArray()) {
      node.forEach(item -> collect(item, name, out));
    }
  }
}
