package io.portico.config;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Parses {@code metrics.otlp} into an {@link OtlpMetricsConfig}, recording every problem with its
 * position: an endpoint that is not an http(s) URL, an interval or timeout out of range, header
 * names that are not tokens, too many resource attributes.
 */
final class OtlpMetricsSection {

  private static final String METRICS_PATH = "/v1/metrics";

  private OtlpMetricsSection() {}

  /** The section, or the defaults (no push) when {@code node} is absent. */
  static OtlpMetricsConfig parse(@Nullable ConfigNode node, ConfigReader parent) {
    OtlpMetricsConfig d = OtlpMetricsConfig.DEFAULTS;
    if (node == null || node.isNull()) {
      return d;
    }
    if (!node.isObject()) {
      parent.problems().expected(node, "an object with endpoint, interval, headers, ...");
      return d;
    }
    ConfigReader r = ConfigReader.of(node, parent.problems());
    boolean enabled = r.bool("enabled", true);
    URI endpoint =
        r.value(
            "endpoint",
            d.endpoint(),
            "an http or https URL of an OTLP/HTTP receiver, such as http://localhost:4318",
            (text, n) -> TracingSection.endpoint(text, METRICS_PATH));
    Duration interval =
        r.duration("interval", d.interval(), Duration.ofSeconds(1), Duration.ofHours(1));
    Duration timeout =
        r.duration("timeout", d.timeout(), Duration.ofMillis(10), Duration.ofMinutes(5));
    Map<String, String> headers = r.stringMap("headers");
    TracingSection.checkHeaderNames(r.child("headers"), parent.problems());
    Map<String, String> resource = r.stringMap("resource-attributes");
    if (resource.size() > OtlpMetricsConfig.MAX_RESOURCE_ATTRIBUTES) {
      r.expected(
          "resource-attributes",
          "at most " + OtlpMetricsConfig.MAX_RESOURCE_ATTRIBUTES + " attributes");
    }
    r.finish();
    return new OtlpMetricsConfig(
        enabled,
        endpoint == null ? d.endpoint() : endpoint,
        interval == null ? d.interval() : interval,
        timeout == null ? d.timeout() : timeout,
        Map.copyOf(headers),
        Map.copyOf(resource));
  }
}
