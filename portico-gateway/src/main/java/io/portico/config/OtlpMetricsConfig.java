package io.portico.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * The {@code metrics.otlp} section: the gateway's meters also pushed to an OpenTelemetry collector
 * over OTLP/HTTP (protobuf). Read once at start-up.
 *
 * @param enabled whether the meters are pushed; off (the default) makes no OTLP registry at all
 * @param endpoint the OTLP/HTTP metrics URL, e.g. {@code http://localhost:4318/v1/metrics}
 * @param interval how often every meter is pushed
 * @param timeout how long connecting and waiting for the collector's answer may each take
 * @param headers sent with every push (an API key of a hosted collector, for instance)
 * @param resourceAttributes the resource's attributes; {@code service.name} is {@code portico}
 *     unless given here
 */
public record OtlpMetricsConfig(
    boolean enabled,
    URI endpoint,
    Duration interval,
    Duration timeout,
    Map<String, String> headers,
    Map<String, String> resourceAttributes) {

  /** The most resource attributes accepted: they are sent with every push. */
  public static final int MAX_RESOURCE_ATTRIBUTES = 64;

  public static final OtlpMetricsConfig DEFAULTS =
      new OtlpMetricsConfig(
          false,
          URI.create("http://localhost:4318/v1/metrics"),
          Duration.ofSeconds(60),
          Duration.ofSeconds(10),
          Map.of(),
          Map.of());
}
