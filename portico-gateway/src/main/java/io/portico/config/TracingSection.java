package io.portico.config;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Parses the top-level {@code tracing} section into a {@link TracingConfig}, recording every
 * problem with its position: an endpoint that is not an http(s) URL, a ratio outside 0..1, an
 * unknown or repeated propagator, header names that are not tokens.
 */
final class TracingSection {

  private static final String TRACES_PATH = "/v1/traces";

  private final Problems problems;

  TracingSection(Problems problems) {
    this.problems = problems;
  }

  /** The section, or the defaults (tracing off) when {@code node} is absent. */
  TracingConfig parse(@Nullable ConfigNode node) {
    TracingConfig d = TracingConfig.DEFAULTS;
    if (node == null || node.isNull()) {
      return d;
    }
    if (!node.isObject()) {
      problems.expected(node, "an object with enabled, endpoint, sample-ratio, propagators, ...");
      return d;
    }
    ConfigReader r = ConfigReader.of(node, problems);
    boolean enabled = r.bool("enabled", true);
    URI endpoint =
        r.value(
            "endpoint",
            d.endpoint(),
            "an http or https URL of an OTLP/HTTP receiver, such as http://localhost:4318",
            (text, n) -> endpoint(text));
    Map<String, String> headers = r.stringMap("headers");
    checkHeaderNames(r.child("headers"), problems);
    Duration exportTimeout =
        r.duration(
            "export-timeout", d.exportTimeout(), Duration.ofMillis(1), Duration.ofMinutes(5));
    Duration exportInterval =
        r.duration(
            "export-interval", d.exportInterval(), Duration.ofMillis(1), Duration.ofMinutes(5));
    int maxQueueSize = r.integer("max-queue-size", d.maxQueueSize(), 1, 1_000_000);
    Double ratio =
        r.value(
            "sample-ratio",
            d.sampleRatio(),
            "a number from 0 to 1, such as 0.01 for 1 % of new traces",
            (text, n) -> ratio(text));
    List<String> propagators = propagators(r, d.propagators());
    String serviceName = r.string("service-name", d.serviceName());
    if (serviceName == null || serviceName.isBlank()) {
      r.expected("service-name", "a non-empty service name");
      serviceName = d.serviceName();
    }
    Map<String, String> resource = r.stringMap("resource-attributes");
    boolean pluginSpans = r.bool("plugin-spans", d.pluginSpans());
    r.finish();
    return new TracingConfig(
        enabled,
        endpoint == null ? d.endpoint() : endpoint,
        Map.copyOf(headers),
        exportTimeout,
        exportInterval,
        maxQueueSize,
        ratio == null ? d.sampleRatio() : ratio,
        propagators,
        serviceName,
        Map.copyOf(resource),
        pluginSpans);
  }

  private List<String> propagators(ConfigReader r, List<String> defaults) {
    ConfigNode node = r.child("propagators");
    if (node == null) {
      return defaults;
    }
    if (!node.isList()) {
      problems.expected(node, "a list of " + String.join(", ", TracingConfig.PROPAGATORS));
      return defaults;
    }
    List<String> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (ConfigNode item : node.items()) {
      String name = item.isScalar() ? item.text() : null;
      if (name == null || !TracingConfig.PROPAGATORS.contains(name)) {
        problems.expected(item, "one of " + String.join(", ", TracingConfig.PROPAGATORS));
      } else if (!seen.add(name)) {
        problems.expected(item, "each propagator once (" + name + " is listed before)");
      } else {
        out.add(name);
      }
    }
    return List.copyOf(out);
  }

  /** Reports every name of a {@code headers} object that is not an HTTP header name. */
  static void checkHeaderNames(@Nullable ConfigNode headersNode, Problems problems) {
    if (headersNode != null && headersNode.isObject()) {
      for (Map.Entry<String, ConfigNode> e : headersNode.fields().entrySet()) {
        if (!SectionReaders.TOKEN.matcher(e.getKey()).matches()) {
          problems.at(e.getValue(), '"' + e.getKey() + "\" (expected: a header name)");
        }
      }
    }
  }

  /** An http(s) URL; a URL without a path gets the OTLP traces path. */
  static @Nullable URI endpoint(String text) {
    return endpoint(text, TRACES_PATH);
  }

  /** An http(s) URL of an OTLP/HTTP receiver; a URL without a path gets {@code signalPath}. */
  static @Nullable URI endpoint(String text, String signalPath) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      return null;
    }
    String scheme = uri.getScheme();
    if (scheme == null
        || !(scheme.equals("http") || scheme.equals("https"))
        || uri.getHost() == null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      return null;
    }
    String path = uri.getRawPath();
    if (path == null || path.isEmpty() || path.equals("/")) {
      return URI.create(scheme + "://" + uri.getRawAuthority() + signalPath);
    }
    return uri;
  }

  private static @Nullable Double ratio(String text) {
    try {
      double v = Double.parseDouble(text);
      return v >= 0 && v <= 1 && !Double.isNaN(v) ? v : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
