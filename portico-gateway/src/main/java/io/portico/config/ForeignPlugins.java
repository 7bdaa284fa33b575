package io.portico.config;

import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Plugin names of Kong and APISIX whose work Portico does under another name, or with a key rather
 * than a plugin, each with the Portico form, for the "unknown plugin" message of {@link
 * PluginsSection}. Names that differ from a Portico plugin only by a typo are left to the "did you
 * mean" of the edit distance.
 */
final class ForeignPlugins {

  private static final String ACCESS_LOG =
      "access logs are runtime.access-log.sinks (file, stdout, http, syslog, nats), and per route"
          + " routes[].access-log";
  private static final String RATE_LIMIT =
      "write rate-limit: { limits: [ { requests: N, window: 1m } ] }, with algorithm:"
          + " token-bucket for a steady rate";
  private static final String TRACING = "tracing is the top-level tracing: section (OTLP/HTTP)";

  private static final Map<String, String> HINTS =
      Map.ofEntries(
          Map.entry("rate-limiting", RATE_LIMIT),
          Map.entry("rate-limiting-advanced", RATE_LIMIT),
          Map.entry("response-ratelimiting", RATE_LIMIT),
          Map.entry("limit-count", RATE_LIMIT),
          Map.entry("limit-req", RATE_LIMIT),
          Map.entry("jwt-auth", "write jwt: { ... }"),
          Map.entry(
              "proxy-rewrite",
              "the path and Host sent upstream are the route's strip-prefix, rewrite-path and"
                  + " preserve-host; headers and bodies are request-transformer"),
          Map.entry(
              "response-rewrite",
              "write response-transformer: { ... } (status, headers, JSON body) or"
                  + " response-headers: { ... }"),
          Map.entry("gzip", "write compression: { ... }"),
          Map.entry("correlation-id", "write request-id: { ... }"),
          Map.entry("request-termination", "write mock: { status: N, body: TEXT }"),
          Map.entry("consumer-restriction", "write acl: { ... } (allow or deny consumer groups)"),
          Map.entry("real-ip", "the client address behind proxies is forwarding.trusted-proxies"),
          Map.entry(
              "request-size-limiting",
              "the largest request body is limits.max-body-size, for the whole gateway"),
          Map.entry(
              "client-control",
              "the largest request body is limits.max-body-size, for the whole gateway"),
          Map.entry(
              "prometheus",
              "Prometheus metrics are always served at the admin listener's /metrics (the metrics:"
                  + " section tunes them)"),
          Map.entry("file-log", ACCESS_LOG),
          Map.entry("http-log", ACCESS_LOG),
          Map.entry("tcp-log", ACCESS_LOG),
          Map.entry("udp-log", ACCESS_LOG),
          Map.entry("syslog", ACCESS_LOG),
          Map.entry("file-logger", ACCESS_LOG),
          Map.entry("http-logger", ACCESS_LOG),
          Map.entry("tcp-logger", ACCESS_LOG),
          Map.entry("syslog-logger", ACCESS_LOG),
          Map.entry("kafka-logger", ACCESS_LOG),
          Map.entry("opentelemetry", TRACING),
          Map.entry("zipkin", TRACING),
          Map.entry("proxy-mirror", "mirroring is the route's mirror: { service: NAME }"),
          Map.entry(
              "traffic-split",
              "a traffic split is the route's traffic-split: key (docs/traffic-split.md)"),
          Map.entry(
              "ai-proxy",
              "the AI gateway is the route's ai: key with the top-level ai: section"
                  + " (docs/ai-gateway.md)"),
          Map.entry("grpc-gateway", "write grpc-transcode: { ... }"));

  private ForeignPlugins() {}

  /** The Portico form of another gateway's plugin {@code name}, or null when none is known. */
  static @Nullable String hint(String name) {
    return HINTS.get(name.toLowerCase(Locale.ROOT).replace('_', '-'));
  }
}
