package io.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.Problem;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code metrics} section: its defaults, its values and its problems with their positions. */
class MetricsSectionTest {

  @TempDir Path dir;

  private ConfigResult parse(String yaml) {
    return ConfigFiles.parse(
        ConfigParserTest.MINIMAL + yaml,
        "portico.yaml",
        dir,
        Map.of(),
        PluginRegistry.load(getClass().getClassLoader()));
  }

  @Test
  void defaultsWhenTheSectionIsAbsent() {
    ConfigResult result = parse("");
    assertThat(result.ok()).isTrue();
    assertThat(result.config().metrics()).isEqualTo(MetricsConfig.DEFAULTS);
    assertThat(MetricsConfig.DEFAULTS).isEqualTo(new MetricsConfig(true, false, false, 100, false));
  }

  @Test
  void readsEveryKey() {
    ConfigResult result =
        parse(
            """
            metrics:
              enabled: false
              public: true
              per-consumer: true
              max-consumers: 7
              server-timing: true
            """);
    assertThat(result.ok()).isTrue();
    assertThat(result.config().metrics()).isEqualTo(new MetricsConfig(false, true, true, 7, true));
  }

  @Test
  void reportsEveryProblemWithItsPosition() {
    ConfigResult result =
        parse(
            """
            metrics:
              per-consumer: sometimes
              max-consumers: 0
              server-timming: true
            """);
    assertThat(result.ok()).isFalse();
    List<String> problems = result.problems().list().stream().map(Problem::toString).toList();
    assertThat(problems).hasSize(3);
    assertThat(problems.get(0)).startsWith("portico.yaml:13:17: metrics.per-consumer:");
    assertThat(problems.get(1))
        .startsWith(
            "portico.yaml:14:18: metrics.max-consumers: \"0\" (expected: an integer from 1 to"
                + " 10000: every consumer counted apart adds series, so the cap is what bounds"
                + " them)");
    assertThat(problems.get(2))
        .startsWith("portico.yaml:15:3: metrics.server-timming: unknown key")
        .contains("did you mean \"server-timing\"");
  }

  @Test
  void refusesAConsumerCapAboveTheHardMaximum() {
    ConfigResult result =
        parse(
            """
            metrics:
              per-consumer: true
              max-consumers: 10001
            """);
    assertThat(result.ok()).isFalse();
    assertThat(result.problems().list().stream().map(Problem::toString))
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("portico.yaml:14:18: metrics.max-consumers: \"10001\" (expected: an integer")
        .contains("the cap is what bounds them");
  }

  @Test
  void capsPerConsumerSeriesWhenNoCapIsGiven() {
    ConfigResult result = parse("metrics: { per-consumer: true }\n");
    assertThat(result.ok()).isTrue();
    assertThat(result.config().metrics().maxConsumers())
        .isEqualTo(MetricsConfig.DEFAULT_MAX_CONSUMERS);
  }

  @Test
  void readsTheOtlpPush() {
    ConfigResult result =
        parse(
            """
            metrics:
              otlp:
                endpoint: https://otel.example.com:4318
                interval: 15s
                timeout: 2s
                headers: { X-Api-Key: abc }
                resource-attributes: { deployment.environment: prod }
            """);
    assertThat(result.ok()).isTrue();
    OtlpMetricsConfig otlp = result.config().metrics().otlp();
    assertThat(otlp)
        .isEqualTo(
            new OtlpMetricsConfig(
                true,
                java.net.URI.create("https://otel.example.com:4318/v1/metrics"),
                java.time.Duration.ofSeconds(15),
                java.time.Duration.ofSeconds(2),
                Map.of("X-Api-Key", "abc"),
                Map.of("deployment.environment", "prod")));
    assertThat(MetricsConfig.DEFAULTS.otlp().enabled()).isFalse();
  }

  @Test
  void reportsEveryProblemOfTheOtlpPushWithItsPosition() {
    StringBuilder attributes = new StringBuilder();
    for (int i = 0; i <= OtlpMetricsConfig.MAX_RESOURCE_ATTRIBUTES; i++) {
      attributes.append(i == 0 ? "" : ", ").append("a").append(i).append(": v");
    }
    ConfigResult result =
        parse(
            """
            metrics:
              otlp:
                endpoint: ftp://collector
                interval: 10ms
                headers: { "bad header": x }
                resource-attributes: { %s }
                intervall: 5s
            """
                .formatted(attributes));
    assertThat(result.ok()).isFalse();
    List<String> problems = result.problems().list().stream().map(Problem::toString).toList();
    assertThat(problems).hasSize(5);
    assertThat(problems.get(0))
        .startsWith("portico.yaml:14:15: metrics.otlp.endpoint: \"ftp://collector\" (expected:");
    assertThat(problems.get(1)).startsWith("portico.yaml:15:15: metrics.otlp.interval:");
    assertThat(problems.get(2))
        .startsWith("portico.yaml:16:30: metrics.otlp.headers.bad header:")
        .contains("a header name");
    assertThat(problems.get(3))
        .startsWith("portico.yaml:17:26: metrics.otlp.resource-attributes:")
        .contains("at most 64 attributes");
    assertThat(problems.get(4))
        .startsWith("portico.yaml:18:5: metrics.otlp.intervall: unknown key");
  }

  @Test
  void onlyServerTimingAppliesWithoutARestart() {
    MetricsConfig d = MetricsConfig.DEFAULTS;
    assertThat(d.differsAtRestart(new MetricsConfig(true, false, false, 100, true))).isFalse();
    assertThat(d.differsAtRestart(new MetricsConfig(false, false, false, 100, false))).isTrue();
    assertThat(d.differsAtRestart(new MetricsConfig(true, true, false, 100, false))).isTrue();
    assertThat(d.differsAtRestart(new MetricsConfig(true, false, true, 100, false))).isTrue();
    assertThat(d.differsAtRestart(new MetricsConfig(true, false, false, 5, false))).isTrue();
    OtlpMetricsConfig otlp = OtlpMetricsConfig.DEFAULTS;
    assertThat(
            d.differsAtRestart(
                new MetricsConfig(
                    true,
                    false,
                    false,
                    100,
                    false,
                    new OtlpMetricsConfig(
                        true,
                        otlp.endpoint(),
                        otlp.interval(),
                        otlp.timeout(),
                        otlp.headers(),
                        otlp.resourceAttributes()))))
        .isTrue();
  }
}
