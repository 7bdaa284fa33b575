package io.portico.config;

/**
 * The {@code metrics} section: what the gateway measures and who may read it on the admin
 * listener's {@code /metrics}.
 *
 * @param enabled whether metrics are recorded and served at all
 * @param isPublic whether {@code /metrics} answers without an admin token (the admin listener's
 *     {@code Host} check still applies)
 * @param perConsumer whether requests are also counted per consumer
 * @param maxConsumers how many consumers get series of their own; the requests of later ones are
 *     counted under {@code other}
 * @param serverTiming whether responses carry a {@code Server-Timing} header with the gateway and
 *     upstream time
 * @param otlp the push of every meter to an OpenTelemetry collector ({@code metrics.otlp})
 */
public record MetricsConfig(
    boolean enabled,
    boolean isPublic,
    boolean perConsumer,
    int maxConsumers,
    boolean serverTiming,
    OtlpMetricsConfig otlp) {

  /** The settings without an OTLP push. */
  public MetricsConfig(
      boolean enabled,
      boolean isPublic,
      boolean perConsumer,
      int maxConsumers,
      boolean serverTiming) {
    this(enabled, isPublic, perConsumer, maxConsumers, serverTiming, OtlpMetricsConfig.DEFAULTS);
  }

  /** The consumers with series of their own when {@code metrics.max-consumers} is not set. */
  public static final int DEFAULT_MAX_CONSUMERS = 100;

  /** The highest {@code metrics.max-consumers} accepted. */
  public static final int MAX_CONSUMERS_LIMIT = 10_000;

  public static final MetricsConfig DEFAULTS =
      new MetricsConfig(true, false, false, DEFAULT_MAX_CONSUMERS, false);

  /** Whether {@code other} differs from this in a setting that takes effect only on restart. */
  public boolean differsAtRestart(MetricsConfig other) {
    return enabled != other.enabled
        || isPublic != other.isPublic
        || perConsumer != other.perConsumer
        || maxConsumers != other.maxConsumers
        || !otlp.equals(other.otlp);
  }
}
