package io.portico.config;

import io.portico.spi.config.ConfigReader;
import org.jspecify.annotations.Nullable;

/**
 * Parses the top-level {@code metrics} section into a {@link MetricsConfig}, recording every
 * problem (a wrong type, an unknown key, a cap out of range) with its position.
 *
 * <p>Cardinality is decided here, never by traffic: label values come from config names and closed
 * lists, histogram buckets are fixed, and the one label that follows the traffic, {@code consumer},
 * is always capped by {@code max-consumers}, which may not exceed {@link
 * MetricsConfig#MAX_CONSUMERS_LIMIT}.
 */
final class MetricsSection {

  private MetricsSection() {}

  static MetricsConfig parse(ConfigReader r) {
    MetricsConfig d = MetricsConfig.DEFAULTS;
    boolean enabled = r.bool("enabled", d.enabled());
    boolean isPublic = r.bool("public", d.isPublic());
    boolean perConsumer = r.bool("per-consumer", d.perConsumer());
    int maxConsumers =
        r.value(
            "max-consumers",
            d.maxConsumers(),
            "an integer from 1 to "
                + MetricsConfig.MAX_CONSUMERS_LIMIT
                + ": every consumer counted apart adds series, so the cap is what bounds them",
            (text, n) -> cap(text));
    boolean serverTiming = r.bool("server-timing", d.serverTiming());
    OtlpMetricsConfig otlp = OtlpMetricsSection.parse(r.child("otlp"), r);
    r.finish();
    return new MetricsConfig(enabled, isPublic, perConsumer, maxConsumers, serverTiming, otlp);
  }

  private static @Nullable Integer cap(String text) {
    if (text.isEmpty() || text.length() > 6 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return null;
    }
    int v = Integer.parseInt(text);
    return v >= 1 && v <= MetricsConfig.MAX_CONSUMERS_LIMIT ? v : null;
  }
}
