package io.portico.config;

import io.portico.spi.config.ConfigReader;

/**
 * Parses the top-level {@code metrics} section into a {@link MetricsConfig}, recording every
 * problem (a wrong type, an unknown key, a cap out of range) with its position.
 */
final class MetricsSection {

  private MetricsSection() {}

  static MetricsConfig parse(ConfigReader r) {
    MetricsConfig d = MetricsConfig.DEFAULTS;
    boolean enabled = r.bool("enabled", d.enabled());
    boolean isPublic = r.bool("public", d.isPublic());
    boolean perConsumer = r.bool("per-consumer", d.perConsumer());
    int maxConsumers =
        r.integer("max-consumers", d.maxConsumers(), 1, MetricsConfig.MAX_CONSUMERS_LIMIT);
    boolean serverTiming = r.bool("server-timing", d.serverTiming());
    r.finish();
    return new MetricsConfig(enabled, isPublic, perConsumer, maxConsumers, serverTiming);
  }
}
