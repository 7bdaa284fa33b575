package io.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every config a reader may copy passes {@code portico validate}: each file under {@code
 * examples/}, and each YAML block of the README and {@code docs/} whose top-level keys are config
 * sections (a full config or a partial one, such as only {@code services} and {@code routes}).
 *
 * <p>A block preceded by {@code <!-- fragment -->} (a piece of a larger config, with placeholders)
 * is skipped; one preceded by {@code <!-- bad example -->} must be rejected. The files a config
 * names (certificates, keys, descriptor sets, log and plugin directories) are created beside it,
 * and every {@code ${VAR}} without a default is given a value, as a reader would before running it.
 */
class DocumentedConfigsTest {

  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final Pattern FENCE = Pattern.compile("^(\\s*)```(yaml|yml)\\s*$");
  private static final Pattern CLOSE = Pattern.compile("^\\s*```\\s*$");
  private static final Pattern TOP_KEY = Pattern.compile("(?m)^([A-Za-z][\\w-]*):");
  private static final Pattern UNSET_VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
  private static final Pattern RELATIVE_FILE =
      Pattern.compile("(?<![\\w/.:-])((?:[\\w.-]+/)*[\\w.-]+\\.(pem|key|crt|pb|log|jsonl))\\b");
  private static final Pattern PLUGIN_DIR =
      Pattern.compile("(?m)^\\s*plugin-dir:\\s*\"?([\\w.-][\\w./-]*)\"?\\s*$");
  private static final String FRAGMENT = "<!-- fragment -->";
  private static final String BAD_EXAMPLE = "<!-- bad example -->";

  /** One YAML block of a Markdown page: where it is, its text and how it is marked. */
  record Block(String page, int line, String text, String mark) {
    @Override
    public String toString() {
      return page + ":" + line;
    }
  }

  private static Set<String> sections;
  @TempDir static Path work;

  @BeforeAll
  static void topLevelSectionsFromTheParser() {
    // The parser's own list of top-level keys, read from the problem an unknown one gets.
    List<Problem> problems =
        ConfigFiles.parse(
                "zz-unknown: 1\n", "probe.yaml", work, Map.of(), PluginRegistry.of(List.of()))
            .problems()
            .list();
    Matcher m = Pattern.compile("expected one of: ([^)]*)\\)").matcher(problems.get(0).message());
    assertThat(m.find()).as(problems.toString()).isTrue();
    sections = new LinkedHashSet<>(List.of(m.group(1).split(", ")));
    assertThat(sections).contains("listeners", "services", "routes", "plugins", "consumers");
  }

  static Stream<Block> blocks() throws IOException {
    List<Path> pages = new ArrayList<>();
    pages.add(ROOT.resolve("README.md"));
    try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    List<Block> out = new ArrayList<>();
    for (Path page : pages) {
      List<String> lines = Files.readAllLines(page);
      for (int i = 0; i < lines.size(); i++) {
        Matcher fence = FENCE.matcher(lines.get(i));
        if (!fence.matches()) {
          continue;
        }
        int indent = fence.group(1).length();
        StringBuilder text = new StringBuilder();
        int j = i + 1;
        for (; j < lines.size() && !CLOSE.matcher(lines.get(j)).matches(); j++) {
          String line = lines.get(j);
          text.append(line.length() >= indent ? line.substring(indent) : line.strip()).append('\n');
        }
        String mark = "";
        for (int k = i - 1; k >= 0; k--) {
          if (!lines.get(k).isBlank()) {
            mark = lines.get(k).strip();
            break;
          }
        }
        out.add(new Block(ROOT.relativize(page).toString(), i + 2, text.toString(), mark));
        i = j;
      }
    }
    return out.stream();
  }

  static Stream<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(ROOT.resolve("examples"))) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  private static boolean isConfig(String text) {
    Matcher m = TOP_KEY.matcher(text);
    boolean any = false;
    while (m.find()) {
      if (!sections.contains(m.group(1))) {
        return false;
      }
      any = true;
    }
    return any;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("blocks")
  void everyConfigBlockOfTheDocsValidates(Block block) throws Exception {
    if (!isConfig(block.text()) || block.mark().equals(FRAGMENT)) {
      return;
    }
    List<String> problems = validate(block.text(), block.page().replace('/', '-') + block.line());

    if (block.mark().equals(BAD_EXAMPLE)) {
      assertThat(problems).as("%s is marked as a bad example", block).isNotEmpty();
    } else {
      assertThat(problems)
          .as("%s: a config block (mark it %s if it is a piece of one)", block, FRAGMENT)
          .isEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void everyExampleConfigValidates(Path example) throws Exception {
    List<String> problems =
        validate(Files.readString(example), example.getFileName().toString().replace(".yaml", ""));

    assertThat(problems).as(example.toString()).isEmpty();
  }

  @Test
  void theDocsHoldConfigBlocksAndTheMarksAreUsedSparingly() throws Exception {
    List<Block> all = blocks().toList();
    long configs = all.stream().filter(b -> isConfig(b.text())).count();
    long fragments =
        all.stream().filter(b -> isConfig(b.text()) && b.mark().equals(FRAGMENT)).count();

    assertThat(configs).isGreaterThan(50);
    assertThat(fragments).as("blocks marked as fragments").isLessThan(configs / 5);
  }

  /** Validates {@code yaml} as {@code portico validate} would, in a directory of its own. */
  private static List<String> validate(String yaml, String name) throws IOException {
    Path dir = Files.createDirectories(work.resolve(name));
    Matcher file = RELATIVE_FILE.matcher(yaml);
    while (file.find()) {
      Path target = dir.resolve(file.group(1)).normalize();
      if (!target.startsWith(dir) || Files.exists(target)) {
        continue;
      }
      Files.createDirectories(target.getParent());
      switch (file.group(2)) {
        case "pb" -> {
          try (InputStream in =
              DocumentedConfigsTest.class.getResourceAsStream("/grpc/descriptors.pb")) {
            assertThat(in).as("the test descriptor set").isNotNull();
            Files.copy(in, target);
          }
        }
        case "log", "jsonl" -> {} // a log file is created by the gateway; its directory must exist
        default -> Files.writeString(target, "a file named by the config\n");
      }
    }
    Matcher pluginDir = PLUGIN_DIR.matcher(yaml);
    while (pluginDir.find()) {
      Path target = dir.resolve(pluginDir.group(1)).normalize();
      if (target.startsWith(dir)) {
        Files.createDirectories(target);
      }
    }
    Map<String, String> env = new HashMap<>();
    Matcher variable = UNSET_VARIABLE.matcher(yaml);
    while (variable.find()) {
      String v = variable.group(1);
      env.put(
          v,
          v.endsWith("HASH")
              ? "sha256:" + "0".repeat(64)
              : "a-value-for-" + v.toLowerCase(java.util.Locale.ROOT) + "-0123456789abcdef");
    }
    Path config = dir.resolve("portico.yaml");
    Files.writeString(config, yaml);
    ConfigResult result =
        ConfigFiles.load(
            config, env, PluginRegistry.load(DocumentedConfigsTest.class.getClassLoader()));
    return result.problems().list().stream().map(Problem::toString).toList();
  }
}
