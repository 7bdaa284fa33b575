package io.portico.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.portico.spi.plugin.PluginFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Holds each built-in plugin's page in {@code docs/plugins} to its config schema ({@code
 * <name>.schema.json}, itself held to what the plugin reads by {@link BuiltInPluginSchemasTest}):
 * every key of the schema is in a key table of the page, and every key the page's tables list is in
 * the schema. Nested keys are written {@code redis.url} and {@code limits[].window}; a key whose
 * children are documented counts as documented.
 */
class PluginDocsTest {

  private static final Path DOCS = Path.of("..", "docs", "plugins");
  private static final Pattern KEY_TABLE = Pattern.compile("^\\| key \\| type \\| default \\|");
  private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");

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
  void everyBuiltInPluginHasAPageWhoseKeyTablesAreItsSchema() throws IOException {
    List<PluginFactory<?>> factories = builtIns();
    assertThat(factories).hasSizeGreaterThanOrEqualTo(25);
    List<String> problems = new ArrayList<>();
    for (PluginFactory<?> factory : factories) {
      String name = factory.name();
      Path page = DOCS.resolve(name + ".md");
      if (!Files.exists(page)) {
        problems.add(name + ": no page docs/plugins/" + name + ".md");
        continue;
      }
      JsonNode schema = PluginSchemas.schemaOf(factory);
      assertThat(schema).as(name).isNotNull();
      Set<String> inSchema = new TreeSet<>();
      flatten(schema, "", inSchema);
      Set<String> documented = documentedKeys(Files.readString(page));

      for (String key : inSchema) {
        boolean childDocumented =
            documented.stream().anyMatch(d -> d.startsWith(key + ".") || d.startsWith(key + "[]."));
        if (!documented.contains(key) && !childDocumented) {
          problems.add(name + ": " + key + " is in the schema but not in the page's key tables");
        }
      }
      for (String key : documented) {
        if (!inSchema.contains(key)) {
          problems.add(name + ": " + key + " is in the page's key tables but not in the schema");
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void keysAreReadFromEveryNameInTheFirstCellOfAKeyTable() throws IOException {
    String page =
        """
        | key | type | default | meaning |
        |---|---|---|---|
        | `limits[].window` | duration | — | the window |
        | `header`, `cookie` | | | token sources |
        """;

    assertThat(documentedKeys(page)).containsExactly("cookie", "header", "limits[].window");
  }

  /** Every backticked name in the first cell of the rows of the page's key tables. */
  static Set<String> documentedKeys(String page) {
    Set<String> out = new TreeSet<>();
    boolean inTable = false;
    for (String line : page.split("\n")) {
      if (KEY_TABLE.matcher(line).find()) {
        inTable = true;
        continue;
      }
      if (!inTable) {
        continue;
      }
      if (!line.startsWith("|")) {
        inTable = false;
        continue;
      }
      if (line.startsWith("|---")) {
        continue;
      }
      Matcher m = BACKTICKED.matcher(line.split("\\|", -1)[1]);
      while (m.find()) {
        out.add(m.group(1));
      }
    }
    return out;
  }

  /** The schema's property names, nested ones as {@code a.b} and {@code a[].b}. */
  private static void flatten(JsonNode schema, String prefix, Set<String> out) {
    for (Map.Entry<String, JsonNode> p : schema.path("properties").properties()) {
      String key = prefix + p.getKey();
      out.add(key);
      nested(p.getValue(), key, out);
      for (String alternatives : List.of("oneOf", "anyOf")) {
        for (JsonNode alternative : p.getValue().path(alternatives)) {
          nested(alternative, key, out);
        }
      }
    }
  }

  private static void nested(JsonNode value, String key, Set<String> out) {
    if (value.has("properties")) {
      flatten(value, key + ".", out);
    }
    if (value.path("items").has("properties")) {
      flatten(value.path("items"), key + "[].", out);
    }
  }
}
