package io.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.Problem;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A document with thousands of mistakes (30,000 unknown plugin names, 30,000 unknown keys of a
 * route): the parse finds all of them, and a report lists its first {@value
 * ConfigParser#MAX_LISTED} problems in document order and one that counts the rest; a document with
 * a few lists them all.
 */
class ManyProblemsTest {

  @TempDir Path dir;

  private List<Problem> problems(String yaml) {
    List<Problem> all =
        ConfigFiles.parse(
                yaml,
                "portico.yaml",
                dir,
                Map.of(),
                PluginRegistry.load(getClass().getClassLoader()))
            .problems()
            .list();
    assertThat(all).hasSize(expected);
    return ConfigParser.listed(all);
  }

  /** How many problems the parse finds in the document of the running test. */
  private int expected;

  private static String route(String extra) {
    return """
        services:
          - name: b
            targets: [ "127.0.0.1:9" ]
        routes:
          - name: r
            paths: [ / ]
            service: b
        """
        + extra;
  }

  @Test
  void thirtyThousandUnknownPluginsAreTheFirstHundredAndACount() {
    StringBuilder plugins = new StringBuilder("    plugins:\n");
    for (int i = 0; i < 30_000; i++) {
      plugins.append("      no-such-").append(i).append(": {}\n");
    }
    expected = 30_000;
    List<Problem> found = problems(route(plugins.toString()));
    assertThat(found).hasSize(ConfigParser.MAX_LISTED + 1);
    assertThat(found.get(0).toString()).contains("routes[0].plugins.no-such-0: unknown plugin");
    assertThat(found.get(99).path()).isEqualTo("routes[0].plugins.no-such-99");
    assertThat(found.get(100).toString())
        .isEqualTo("portico.yaml:109:7: and 29900 more problems, not listed (the first 100 are)");
  }

  @Test
  void thirtyThousandUnknownKeysOfARouteAreTheFirstHundredAndACount() {
    StringBuilder keys = new StringBuilder();
    for (int i = 0; i < 30_000; i++) {
      keys.append("    x").append(i).append(": 1\n");
    }
    expected = 30_000;
    List<Problem> found = problems(route(keys.toString()));
    assertThat(found).hasSize(ConfigParser.MAX_LISTED + 1);
    assertThat(found.get(0).path()).isEqualTo("routes[0].x0");
    assertThat(found.get(100).message()).startsWith("and 29900 more problems, not listed");
  }

  @Test
  void aFewProblemsAreAllListed() {
    StringBuilder keys = new StringBuilder();
    for (int i = 0; i < ConfigParser.MAX_LISTED; i++) {
      keys.append("    x").append(i).append(": 1\n");
    }
    expected = ConfigParser.MAX_LISTED;
    List<Problem> found = problems(route(keys.toString()));
    assertThat(found).hasSize(ConfigParser.MAX_LISTED);
    assertThat(found).allSatisfy(p -> assertThat(p.message()).startsWith("unknown key"));
  }
}
