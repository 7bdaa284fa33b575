package io.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.Problem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code admin.console}: its defaults, its values and its problems with their positions. */
class ConsoleSectionTest {

  @TempDir Path dir;

  private ConfigResult parse(String console) {
    return ConfigFiles.parse(
        """
        listeners:
          - address: 127.0.0.1:8080
        admin:
          address: 127.0.0.1:9901
        """
            + console,
        "portico.yaml",
        dir,
        Map.of(),
        PluginRegistry.load(getClass().getClassLoader()));
  }

  @Test
  void theConsoleIsOnWithItsDefaultsWhenNotConfigured() {
    ConfigResult result = parse("");
    assertThat(result.ok()).as(result.problems().toString()).isTrue();
    assertThat(result.config().admin().console()).isEqualTo(ConsoleConfig.DEFAULTS);
    assertThat(ConsoleConfig.DEFAULTS)
        .isEqualTo(
            new ConsoleConfig(
                true, Duration.ofMinutes(30), Duration.ofHours(12), false, Duration.ofHours(1)));
  }

  @Test
  void readsEveryKeyAndOff() {
    ConfigResult result =
        parse(
            """
              console:
                enabled: true
                session-idle: 10m
                session-max: 8h
                secure-cookie: true
                setup-link-ttl: 15m
            """);
    assertThat(result.ok()).as(result.problems().toString()).isTrue();
    assertThat(result.config().admin().console())
        .isEqualTo(
            new ConsoleConfig(
                true, Duration.ofMinutes(10), Duration.ofHours(8), true, Duration.ofMinutes(15)));
    ConfigResult off = parse("  console: off\n");
    assertThat(off.ok()).isTrue();
    assertThat(off.config().admin().console().enabled()).isFalse();
  }

  @Test
  void reportsEveryProblemWithItsPosition() {
    ConfigResult result =
        parse(
            """
              console:
                session-idle: 2d
                session-max: 1d
                setup-link-ttl: 30s
                secure-cookies: true
            """);
    assertThat(result.ok()).isFalse();
    List<String> problems = result.problems().list().stream().map(Problem::toString).toList();
    assertThat(problems).hasSize(3);
    assertThat(String.join("\n", problems))
        .contains(
            "portico.yaml:8:21: admin.console.setup-link-ttl: \"30s\" (expected: a duration from 1m to 7d)")
        .contains("admin.console.secure-cookies: unknown key")
        .contains(
            "portico.yaml:6:19: admin.console.session-idle: \"2d\" (expected: a duration no longer than session-max)");
  }

  @Test
  void theExampleConfigIsValid() throws Exception {
    Path example = Path.of("").toAbsolutePath().getParent().resolve("examples/console.yaml");
    ConfigResult result =
        ConfigFiles.parse(
            java.nio.file.Files.readString(example),
            example.toString(),
            dir,
            Map.of(),
            PluginRegistry.load(getClass().getClassLoader()));
    assertThat(result.ok()).as(result.problems().toString()).isTrue();
    assertThat(result.config().admin().console().sessionIdle()).isEqualTo(Duration.ofMinutes(30));
  }
}
