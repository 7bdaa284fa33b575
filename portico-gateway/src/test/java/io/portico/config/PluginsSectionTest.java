package io.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.ConsumerReferences;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The {@code plugins} blocks at every level: unknown plugins, config problems and factories that
 * reject their config.
 */
class PluginsSectionTest extends ConfigParsing {

  @Test
  void parsesPluginsAtEveryLevel() {
    GatewayConfig config =
        valid(
            parse(
                """
                plugins:
                  test-header: { name: X-Global }
                services:
                  - name: backend
                    targets: [ "127.0.0.1:9001" ]
                    plugins:
                      test-finishing: { status: 204 }
                """));

    assertThat(config.plugins()).extracting(PluginSpec::name).containsExactly("test-header");
    assertThat(config.services().get(0).plugins().get(0).config()).isEqualTo(204);
  }

  @Test
  void reportsUnknownPluginsAndPluginConfigProblems() {
    ConfigResult result =
        parse(
            """
            plugins:
              test-headr: { name: X }
              test-header: { vale: v }
              test-finishing: { status: 204, extra: 1 }
              test-throwing: {}
            """);

    assertThat(registry.names()).contains("cors", "mock", "test-header", "test-throwing");
    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:2:3: plugins.test-headr: unknown plugin \"test-headr\" (expected one"
                + " of: "
                + String.join(", ", new java.util.TreeSet<>(registry.names()))
                + "); did you mean \"test-header\"?",
            "portico.yaml:3:16: plugins.test-header.name: missing (expected: a header name)",
            "portico.yaml:3:18: plugins.test-header.vale: unknown key \"vale\" (expected one of:"
                + " name, value); did you mean \"value\"?",
            "portico.yaml:4:34: plugins.test-finishing.extra: unknown key \"extra\" (expected one"
                + " of: status)",
            "portico.yaml:5:18: plugins.test-throwing: plugin \"test-throwing\" failed to read its"
                + " config (expected: no error): java.lang.IllegalStateException: bug in the"
                + " plugin");
  }

  /**
   * Records a problem for {@code bad: true} and still returns a stand-in config, as {@link
   * PluginFactory#parse} allows; returns null without a word for {@code silent: true}; and names a
   * consumer in {@code anonymous}.
   */
  private static final class StandInFactory
      implements PluginFactory<String>, ConsumerReferences<String> {
    final List<String> checked = new ArrayList<>();

    @Override
    public String name() {
      return "stand-in";
    }

    @Override
    public int priority() {
      return 1;
    }

    @Override
    public String parse(ConfigReader config) {
      if (config.bool("bad", false)) {
        config.problems().expected(config.child("bad"), "false");
      }
      String anonymous = config.string("anonymous", "nobody");
      return config.bool("silent", false) ? null : "stand-in for " + anonymous;
    }

    @Override
    public void checkConsumerReferences(
        String config, ConfigNode node, Set<String> consumers, Problems problems) {
      checked.add(config);
    }

    @Override
    public Plugin create(String config, PluginContext context) {
      throw new UnsupportedOperationException("the parser creates no plugin");
    }
  }

  @Test
  void neverUsesAPluginConfigWhoseReadingRecordedAProblem() {
    StandInFactory factory = new StandInFactory();
    ConfigResult result =
        ConfigFiles.parse(
            """
            plugins:
              stand-in: { bad: true, anonymous: ann }
            routes:
              - name: r
                paths: [ "/" ]
                plugins:
                  stand-in: { anonymous: bob }
            """,
            "portico.yaml",
            dir,
            env,
            PluginRegistry.of(List.of(factory)));

    assertThat(problems(result))
        .containsExactly("portico.yaml:2:20: plugins.stand-in.bad: \"true\" (expected: false)");
    assertThat(result.config()).isNull();
    assertThat(factory.checked).containsExactly("stand-in for bob");
  }

  @Test
  void reportsAPluginThatRejectsItsConfigWithoutAProblem() {
    ConfigResult result =
        ConfigFiles.parse(
            "plugins:\n  stand-in: { silent: true }\n",
            "portico.yaml",
            dir,
            env,
            PluginRegistry.of(List.of(new StandInFactory())));

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:2:13: plugins.stand-in: plugin \"stand-in\" rejected its config without"
                + " saying why");
  }

  @Test
  void saysWhenNoPluginIsInstalled() {
    ConfigResult result =
        ConfigFiles.parse(
            "plugins:\n  cors: {}\n", "portico.yaml", dir, env, PluginRegistry.of(List.of()));

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:2:3: plugins.cors: unknown plugin \"cors\" (expected: an installed"
                + " plugin; none is installed)");
  }
}
