package io.portico.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The {@code tracing} section: OpenTelemetry spans for every exchange, exported over OTLP/HTTP.
 * Read once at start-up.
 *
 * @param enabled whether spans are made at all; off (the default) costs the data path nothing
 * @param endpoint the OTLP/HTTP traces URL, e.g. {@code http://localhost:4318/v1/traces}
 * @param headers sent with every export request (an API key of a hosted collector, for instance)
 * @param exportTimeout how long one export request may take before its spans are dropped
 * @param exportInterval how long finished spans may wait in the queue before a batch is sent
 * @param maxQueueSize finished spans held for export; beyond it new spans are dropped and counted
 * @param sampleRatio the share of new traces recorded (0 to 1); a request that carries a parent
 *     follows its parent's decision
 * @param propagators the header formats read from clients and written upstream, in order
 * @param serviceName the {@code service.name} resource attribute
 * @param resourceAttributes further resource attributes
 * @param pluginSpans whether each plugin's work in each phase gets a span of its own
 */
public record TracingConfig(
    boolean enabled,
    URI endpoint,
    Map<String, String> headers,
    Duration exportTimeout,
    Duration exportInterval,
    int maxQueueSize,
    double sampleRatio,
    List<String> propagators,
    String serviceName,
    Map<String, String> resourceAttributes,
    boolean pluginSpans) {

  /** The propagator names {@code propagators} may list. */
  public static final List<String> PROPAGATORS = List.of("tracecontext", "b3", "b3multi");

  public static final TracingConfig DEFAULTS =
      new TracingConfig(
          false,
          URI.create("http://localhost:4318/v1/traces"),
          Map.of(),
          Duration.ofSeconds(10),
          Duration.ofSeconds(5),
          2048,
          1.0,
          List.of("tracecontext"),
          "portico",
          Map.of(),
          false);
}
