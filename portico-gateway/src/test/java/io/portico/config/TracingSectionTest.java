package io.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.Problem;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code tracing} section: defaults, every key, and every mistake reported with its line. */
class TracingSectionTest {

  private final PluginRegistry registry = PluginRegistry.load(getClass().getClassLoader());

  @TempDir Path dir;

  private ConfigResult parse(String tracing) {
    return ConfigFiles.parse(
        ConfigParserTest.MINIMAL + tracing, "portico.yaml", dir, Map.of(), registry);
  }

  private static List<String> problems(ConfigResult result) {
    return result.problems().list().stream().map(Problem::toString).toList();
  }

  @Test
  void tracingIsOffWithoutTheSection() {
    ConfigResult result = parse("");
    assertThat(problems(result)).isEmpty();
    assertThat(result.config().tracing()).isEqualTo(TracingConfig.DEFAULTS);
    assertThat(result.config().tracing().enabled()).isFalse();
  }

  @Test
  void readsEveryKey() {
    ConfigResult result =
        parse(
            """
            tracing:
              enabled: true
              endpoint: http://collector:4318
              headers: { x-api-key: secret }
              export-timeout: 2s
              export-interval: 200ms
              max-queue-size: 100
              sample-ratio: 0.25
              propagators: [ b3, tracecontext ]
              service-name: edge
              resource-attributes: { deployment.environment: prod }
              plugin-spans: true
            """);
    assertThat(problems(result)).isEmpty();
    TracingConfig t = result.config().tracing();
    assertThat(t.enabled()).isTrue();
    assertThat(t.endpoint()).isEqualTo(URI.create("http://collector:4318/v1/traces"));
    assertThat(t.headers()).containsEntry("x-api-key", "secret");
    assertThat(t.exportTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(t.exportInterval()).isEqualTo(Duration.ofMillis(200));
    assertThat(t.maxQueueSize()).isEqualTo(100);
    assertThat(t.sampleRatio()).isEqualTo(0.25);
    assertThat(t.propagators()).containsExactly("b3", "tracecontext");
    assertThat(t.serviceName()).isEqualTo("edge");
    assertThat(t.resourceAttributes()).containsEntry("deployment.environment", "prod");
    assertThat(t.pluginSpans()).isTrue();
  }

  @Test
  void keepsAnEndpointPathAsGiven() {
    ConfigResult result = parse("tracing:\n  endpoint: https://otel.example/custom/traces\n");
    assertThat(problems(result)).isEmpty();
    assertThat(result.config().tracing().endpoint())
        .isEqualTo(URI.create("https://otel.example/custom/traces"));
  }

  @Test
  void reportsEveryMistakeWithItsLine() {
    ConfigResult result =
        parse(
            """
            tracing:
              endpoint: ftp://collector
              sample-ratio: 1.5
              propagators: [ tracecontext, jaeger, tracecontext ]
              max-queue-size: 0
              headers: { "bad header": x }
              sampel-ratio: 1
            """);
    assertThat(result.ok()).isFalse();
    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:13:13: tracing.endpoint: \"ftp://collector\" (expected: an http or https"
                + " URL of an OTLP/HTTP receiver, such as http://localhost:4318)",
            "portico.yaml:14:17: tracing.sample-ratio: \"1.5\" (expected: a number from 0 to 1,"
                + " such as 0.01 for 1 % of new traces)",
            "portico.yaml:15:32: tracing.propagators[1]: \"jaeger\" (expected: one of"
                + " tracecontext, b3, b3multi)",
            "portico.yaml:15:40: tracing.propagators[2]: \"tracecontext\" (expected: each"
                + " propagator once (tracecontext is listed before))",
            "portico.yaml:16:19: tracing.max-queue-size: \"0\" (expected: an integer from 1 to"
                + " 1000000)",
            "portico.yaml:17:28: tracing.headers.bad header: \"bad header\" (expected: a header"
                + " name)",
            "portico.yaml:18:3: tracing.sampel-ratio: unknown key \"sampel-ratio\" (expected one"
                + " of: enabled, endpoint, export-interval, export-timeout, headers,"
                + " max-queue-size, plugin-spans, propagators, resource-attributes, sample-ratio,"
                + " service-name); did you mean \"sample-ratio\"?");
  }
}
