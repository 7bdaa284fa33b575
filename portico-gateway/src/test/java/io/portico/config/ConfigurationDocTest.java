package io.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problem;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import java.lang.reflect.RecordComponent;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Holds {@code docs/configuration.md} to the code: its full example is valid, its key tables list
 * exactly the keys of that example, and its defaults are the ones the parser uses.
 */
class ConfigurationDocTest {

  private static final Path DOC =
      Path.of("").toAbsolutePath().getParent().resolve("docs/configuration.md");
  private static final Pattern KEY_TABLE_HEADER =
      Pattern.compile("^\\| key \\| type \\| default \\| description \\|$");
  private static final Pattern BACKTICKED = Pattern.compile("`([^`]*)`");

  /** Keys the parser reads only to refuse them in a file: written through the admin API. */
  private static final Set<String> ADMIN_API_ONLY = Set.of("ai.providers[].api-key");

  private static final String PROBE = "x-doc-probe";
  private static final Pattern UNKNOWN_PROBE =
      Pattern.compile("unknown key \"" + PROBE + "\" \\(expected one of: ([^)]*)\\)");
  private static final Pattern PLUGIN_CONFIG =
      Pattern.compile("(^|\\.)plugins\\.[^.]+|^consumers\\[]\\.credentials\\.");

  /** A documented key: its path ({@code routes[].paths}) and its default column. */
  record Row(String key, String defaultCell) {

    /** The first backticked value of the default column, or null when there is none. */
    String defaultValue() {
      Matcher m = BACKTICKED.matcher(defaultCell);
      return m.find() ? m.group(1) : null;
    }
  }

  private static String doc;
  private static Map<String, Row> rows;
  private static String fullExample;

  @TempDir static Path configDir;

  @BeforeAll
  static void readTheDoc() throws Exception {
    doc = Files.readString(DOC);
    rows = keyRows(doc);
    fullExample = yamlBlockAfter(doc, "## Full example");
    Files.createDirectories(configDir.resolve("certs"));
    Files.writeString(configDir.resolve("certs/api.example.com.pem"), "cert");
    Files.writeString(configDir.resolve("certs/api.example.com.key"), "key");
    Files.writeString(configDir.resolve("certs/clients-ca.pem"), "ca");
    Files.writeString(configDir.resolve("certs/upstream-ca.pem"), "ca");
    Files.writeString(configDir.resolve("certs/gateway-client.pem"), "cert");
    Files.writeString(configDir.resolve("certs/gateway-client.key"), "key");
    Files.createDirectories(configDir.resolve("secrets"));
    Files.writeString(configDir.resolve("secrets/alert-webhook.key"), "a-webhook-secret");
    Files.createDirectories(configDir.resolve("logs"));
    Files.createDirectories(configDir.resolve("plugins"));
  }

  @Test
  void fullExampleLoadsWithZeroProblems() {
    ConfigResult result = parseFullExample();

    assertThat(result.problems().list()).extracting(Problem::toString).isEmpty();
    assertThat(result.config().routes()).hasSizeGreaterThanOrEqualTo(3);
  }

  @Test
  void minimalExampleLoadsWithZeroProblems() {
    String minimal = yamlBlockAfter(doc, "# Configuration reference");

    ConfigResult result =
        ConfigFiles.parse(
            minimal, "minimal.yaml", configDir, Map.of(), PluginRegistry.of(List.of()));

    assertThat(result.problems().list()).extracting(Problem::toString).isEmpty();
  }

  @Test
  void everyDocumentedKeyAppearsInTheFullExampleAndViceVersa() {
    ConfigNode root = ConfigLoader.withEnvironment(env()).load(fullExample, "example.yaml").root();
    Set<String> inExample = new TreeSet<>();
    collectKeys(root, "", rows.keySet(), inExample);

    Set<String> inFiles = new TreeSet<>(rows.keySet());
    for (String key : ADMIN_API_ONLY) {
      assertThat(rows.get(key)).as("row of %s", key).isNotNull();
      assertThat(doc)
          .contains("`" + key + "` | string | none | only in a provider written through");
      inFiles.remove(key);
    }
    assertThat(rows).isNotEmpty();
    assertThat(inFiles)
        .as("keys documented in the tables but missing from the full example")
        .containsAll(inExample);
    assertThat(inExample)
        .as("keys of the full example, compared with those documented in the tables")
        .containsExactlyInAnyOrderElementsOf(inFiles);
  }

  @Test
  void everyKeyTheParserReadsInTheFullExampleIsDocumented() {
    ConfigNode root = ConfigLoader.withEnvironment(env()).load(fullExample, "example.yaml").root();
    ConfigResult probed =
        ConfigFiles.parse(
            new LoadResult(withProbe(root), new io.portico.spi.config.Problems(), fullExample),
            configDir.resolve("example.yaml"),
            exampleRegistry());
    Map<String, Set<String>> read = keysReadByTheParser(probed.problems().list());

    Set<String> undocumented = new TreeSet<>();
    for (Map.Entry<String, Set<String>> e : read.entrySet()) {
      String parent = e.getKey().replaceAll("\\[\\d+]", "[]");
      if (PLUGIN_CONFIG.matcher(parent).find()) {
        continue; // a plugin's own keys: held to docs/plugins by PluginDocsTest
      }
      for (String key : e.getValue()) {
        String path = parent.isEmpty() ? key : parent + "." + key;
        if (!rows.containsKey(path)) {
          undocumented.add(path);
        }
      }
    }
    assertThat(read.keySet())
        .as("objects of the full example the probe reached")
        .contains("", "listeners[0]", "admin", "services[0]", "routes[0]", "runtime", "limits");
    assertThat(undocumented)
        .as("keys the parser reads that docs/configuration.md's tables do not list")
        .isEmpty();
  }

  @Test
  void documentedDefaultsMatchTheDefaultsConstants() throws Exception {
    assertDefaults("limits.", LimitsConfig.DEFAULTS);
    assertDefaults("services[].pool.", PoolConfig.DEFAULTS);
    assertDefaults("services[].timeouts.", TimeoutsConfig.DEFAULTS);
    assertDefaults("services[].retry.", RetryConfig.DEFAULTS);
    assertDefaults("forwarding.", ForwardingConfig.DEFAULTS);
    assertDefaults("runtime.", RuntimeConfig.DEFAULTS);
  }

  @Test
  void documentedDefaultsOfListenersAdminAndRoutesAreTheParsersDefaults() {
    GatewayConfig config =
        ConfigFiles.parse(
                """
                services:
                  - name: s
                    targets: [ { target: "10.0.0.1:80" } ]
                routes:
                  - name: r
                    service: s
                """,
                "defaults.yaml",
                configDir,
                Map.of(),
                PluginRegistry.of(List.of()))
            .config();
    Map<String, Object> actual = new LinkedHashMap<>();
    actual.put("listeners[].address", authority(config.listeners().get(0).address()));
    actual.put("listeners[].http2", config.listeners().get(0).http2());
    actual.put("listeners[].name", config.listeners().get(0).name().replace("8080", "<port>"));
    actual.put("admin.address", authority(config.admin().address()));
    actual.put("admin.store", config.admin().store().getFileName());
    actual.put("admin.history", config.admin().history());
    actual.put("services[].discovery", config.services().get(0).discovery().kind().name());
    actual.put("services[].targets[].weight", config.services().get(0).targets().get(0).weight());
    RouteConfig route = config.routes().get(0);
    actual.put("routes[].path-match", route.pathMatch());
    actual.put("routes[].priority", route.priority());
    actual.put("routes[].strip-prefix", route.stripPrefix());
    actual.put("routes[].preserve-host", route.preserveHost());
    actual.put("routes[].paths", "[\"" + String.join("\", \"", route.paths()) + "\"]");

    for (Map.Entry<String, Object> e : actual.entrySet()) {
      assertThat(rows).containsKey(e.getKey());
      assertThat(rows.get(e.getKey()).defaultValue())
          .as("documented default of %s", e.getKey())
          .isEqualTo(String.valueOf(e.getValue()));
    }
  }

  @Test
  void limitsComparisonNamesEveryLimit() throws Exception {
    String comparison = section(doc, "### Limits compared with nginx and Envoy");

    for (RecordComponent c : LimitsConfig.class.getRecordComponents()) {
      assertThat(comparison).contains("`" + kebab(c.getName()) + "`");
    }
  }

  private ConfigResult parseFullExample() {
    return ConfigFiles.parse(fullExample, "example.yaml", configDir, env(), exampleRegistry());
  }

  private static Map<String, String> env() {
    return Map.of("PORTICO_ADMIN_TOKEN", "an-admin-token-for-the-doc-test");
  }

  /**
   * The factories on the class path, plus a stand-in that accepts any config for each plugin of the
   * example that is not installed, so the example is checked against real plugins as they are
   * added.
   */
  private PluginRegistry exampleRegistry() {
    PluginRegistry installed = PluginRegistry.load(getClass().getClassLoader());
    List<PluginFactory<?>> factories = new ArrayList<>();
    for (String name : installed.names()) {
      factories.add(installed.find(name));
    }
    Set<String> used = new LinkedHashSet<>();
    collectPluginNames(
        ConfigLoader.withEnvironment(env()).load(fullExample, "example.yaml").root(), used);
    for (String name : used) {
      if (installed.find(name) == null) {
        factories.add(new AnyConfig(name));
      }
    }
    return PluginRegistry.of(factories);
  }

  private static void assertDefaults(String prefix, Record defaults) throws Exception {
    for (RecordComponent c : defaults.getClass().getRecordComponents()) {
      String key = prefix + kebab(c.getName());
      assertThat(rows).as("a row for %s", key).containsKey(key);
      String documented = rows.get(key).defaultValue();
      Object actual = c.getAccessor().invoke(defaults);
      Object expected;
      if (documented == null) {
        expected = null;
      } else if (c.getType() == Duration.class) {
        expected = ConfigReader.parseDuration(documented);
      } else if (c.getType() == int.class) {
        expected = (int) ConfigReader.parseSize(documented);
      } else if (c.getType() == long.class) {
        expected = ConfigReader.parseSize(documented);
      } else if (c.getType() == boolean.class) {
        expected = Boolean.parseBoolean(documented);
      } else if (c.getType() == AccessLogConfig.class) {
        expected = documented.equals("stdout") ? AccessLogConfig.DEFAULTS : documented;
      } else if (c.getType() == List.class) {
        expected = documented.equals("[]") ? List.of() : documented;
      } else {
        expected = documented;
      }
      assertThat(actual).as("documented default of %s", key).isEqualTo(expected);
    }
  }

  /** A copy of {@code node} with a key no parser reads added to every object. */
  private static ConfigNode withProbe(ConfigNode node) {
    if (node.isObject()) {
      Map<String, ConfigNode> fields = new LinkedHashMap<>();
      for (Map.Entry<String, ConfigNode> e : node.fields().entrySet()) {
        fields.put(e.getKey(), withProbe(e.getValue()));
      }
      fields.put(PROBE, ConfigNode.scalar(node.childPath(PROBE), node.location(), "probe", false));
      return ConfigNode.object(node.path(), node.location(), fields);
    }
    if (node.isList()) {
      List<ConfigNode> items = new ArrayList<>();
      for (ConfigNode item : node.items()) {
        items.add(withProbe(item));
      }
      return ConfigNode.list(node.path(), node.location(), items);
    }
    return node;
  }

  /**
   * The keys the parser read at each object, by the object's path: every object that reports
   * unknown keys lists, in the problem about the probe, the keys it read.
   */
  private static Map<String, Set<String>> keysReadByTheParser(List<Problem> problems) {
    Map<String, Set<String>> out = new TreeMap<>();
    String suffix = "." + PROBE;
    for (Problem p : problems) {
      Matcher m = UNKNOWN_PROBE.matcher(p.message());
      if (!m.find()) {
        continue;
      }
      String parent =
          p.path().equals(PROBE) ? "" : p.path().substring(0, p.path().length() - suffix.length());
      out.computeIfAbsent(parent, k -> new TreeSet<>()).addAll(List.of(m.group(1).split(", ")));
    }
    return out;
  }

  /** Key paths of every object field, with list indices written {@code []}. */
  private static void collectKeys(
      ConfigNode node, String path, Set<String> documented, Set<String> out) {
    if (node.isObject()) {
      String prefix = path.isEmpty() ? "" : path + ".";
      for (String key : documented) {
        if (key.startsWith(prefix + "<") && key.indexOf('.', prefix.length()) < 0) {
          if (!node.fields().isEmpty()) {
            out.add(key);
          }
          return;
        }
      }
      for (Map.Entry<String, ConfigNode> e : node.fields().entrySet()) {
        out.add(prefix + e.getKey());
        collectKeys(e.getValue(), prefix + e.getKey(), documented, out);
      }
    } else if (node.isList()) {
      for (ConfigNode item : node.items()) {
        collectKeys(item, path + "[]", documented, out);
      }
    }
  }

  private static void collectPluginNames(ConfigNode node, Set<String> out) {
    for (Map.Entry<String, ConfigNode> e : node.fields().entrySet()) {
      if (e.getKey().equals("plugins") && e.getValue().isObject()) {
        out.addAll(e.getValue().fields().keySet());
      } else {
        collectPluginNames(e.getValue(), out);
      }
    }
    for (ConfigNode item : node.items()) {
      collectPluginNames(item, out);
    }
  }

  /** The rows of every table headed {@code | key | type | default | description |}. */
  private static Map<String, Row> keyRows(String markdown) {
    Map<String, Row> out = new LinkedHashMap<>();
    boolean inTable = false;
    for (String line : markdown.split("\n")) {
      if (KEY_TABLE_HEADER.matcher(line).matches()) {
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
      String[] cells = line.split("\\|", -1);
      String key = cells[1].strip().replace("`", "");
      assertThat(out).as("key %s documented once", key).doesNotContainKey(key);
      out.put(key, new Row(key, cells[3].strip()));
    }
    return out;
  }

  private static String yamlBlockAfter(String markdown, String heading) {
    String rest = markdown.substring(markdown.indexOf(heading));
    int start = rest.indexOf("```yaml\n") + "```yaml\n".length();
    return rest.substring(start, rest.indexOf("\n```", start) + 1);
  }

  private static String section(String markdown, String heading) {
    String rest = markdown.substring(markdown.indexOf(heading) + heading.length());
    int next = rest.indexOf("\n#");
    return next < 0 ? rest : rest.substring(0, next);
  }

  private static String kebab(String camel) {
    return camel.replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT);
  }

  private static String authority(InetSocketAddress address) {
    return address.getHostString() + ":" + address.getPort();
  }

  /** Accepts any config: stands in for a plugin of the example that is not installed. */
  private record AnyConfig(String name) implements PluginFactory<ConfigNode> {

    @Override
    public int priority() {
      return 0;
    }

    @Override
    public ConfigNode parse(ConfigReader config) {
      for (String key : config.node().fields().keySet()) {
        config.child(key);
      }
      return config.node();
    }

    @Override
    public Plugin create(ConfigNode config, PluginContext context) {
      throw new UnsupportedOperationException();
    }
  }
}
