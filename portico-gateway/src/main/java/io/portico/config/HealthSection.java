package io.portico.config;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Reads a service's {@code health} section: {@code active} probes, {@code passive} ejection, the
 * {@code circuit-breaker} and {@code all-unhealthy}. Problems go to the parser's {@link Problems}.
 *
 * <p>Active probes are on as soon as {@code active} is written: an HTTP probe needs only its {@code
 * path}, a TCP probe only {@code type: tcp}, a gRPC probe {@code type: grpc} (with an optional
 * {@code service} to ask about and {@code authority}).
 */
final class HealthSection {

  private static final Duration MAX = Duration.ofDays(1);
  private static final List<String> METHODS = List.of("GET", "HEAD", "OPTIONS", "POST");

  private final Problems problems;

  HealthSection(Problems problems) {
    this.problems = problems;
  }

  HealthConfig parse(ConfigReader service) {
    if (!service.has("health")) {
      return HealthConfig.DEFAULTS;
    }
    ConfigReader r = service.object("health");
    HealthConfig.Active active = r.has("active") ? active(r.object("active")) : null;
    HealthConfig.Passive passive = r.has("passive") ? passive(r.object("passive")) : null;
    HealthConfig.CircuitBreaker breaker =
        r.has("circuit-breaker") ? breaker(r.object("circuit-breaker")) : null;
    String all = r.oneOf("all-unhealthy", "try-all", List.of("try-all", "fail"));
    r.finish();
    return new HealthConfig(
        active,
        passive,
        breaker,
        "fail".equals(all) ? HealthConfig.AllUnhealthy.FAIL : HealthConfig.AllUnhealthy.TRY_ALL);
  }

  private HealthConfig.Active active(ConfigReader a) {
    String typeName = a.oneOf("type", "http", List.of("http", "tcp", "grpc"));
    HealthConfig.ProbeType type =
        HealthConfig.ProbeType.valueOf(
            (typeName == null ? "http" : typeName).toUpperCase(Locale.ROOT));
    String path = a.string("path", null);
    if (type == HealthConfig.ProbeType.HTTP) {
      if (path == null) {
        problems.at(a.node(), "an HTTP probe needs path (expected: e.g. path: /healthz)");
      } else if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
        a.expected("path", "a request target starting with / without spaces");
      }
    } else if (path != null) {
      SectionReaders.at(
          a,
          "path",
          "path with type: "
              + typeName
              + " (expected: no path for a "
              + (type == HealthConfig.ProbeType.TCP ? "TCP" : "gRPC")
              + " probe)");
    }
    String grpcService = "";
    String authority = null;
    if (type == HealthConfig.ProbeType.GRPC) {
      grpcService = a.string("service", "");
      if (grpcService == null) {
        grpcService = "";
      }
      authority = a.string("authority", null);
      if (authority != null && authority.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
        a.expected("authority", "an authority (host[:port]) without spaces");
      }
      for (String key : List.of("method", "host", "expected-statuses")) {
        if (a.has(key)) {
          SectionReaders.at(
              a, key, key + " with type: grpc (expected: service and authority for a gRPC probe)");
        }
      }
    } else {
      for (String key : List.of("service", "authority")) {
        if (a.has(key)) {
          SectionReaders.at(
              a, key, key + " with type: " + typeName + " (expected: only with type: grpc)");
        }
      }
    }
    String method = a.string("method", "GET");
    if (method != null && !METHODS.contains(method.toUpperCase(Locale.ROOT))) {
      a.expected("method", "one of " + METHODS);
    }
    String host = a.string("host", null);
    if (host != null && host.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
      a.expected("host", "a Host header value without spaces");
    }
    Duration interval = a.duration("interval", Duration.ofSeconds(5), Duration.ofMillis(10), MAX);
    Duration timeout = a.duration("timeout", null, Duration.ofMillis(1), MAX);
    if (interval == null) {
      interval = Duration.ofSeconds(5);
    }
    if (timeout == null) {
      // One second, but never longer than the interval.
      timeout = interval.compareTo(Duration.ofSeconds(1)) < 0 ? interval : Duration.ofSeconds(1);
    } else if (timeout.compareTo(interval) > 0) {
      SectionReaders.at(a, "timeout", "longer than interval (expected: timeout ≤ interval)");
    }
    // A tenth of the interval by default; at most the interval, so no interval shrinks below half.
    Duration jitter = a.duration("jitter", interval.dividedBy(10), Duration.ZERO, MAX);
    if (jitter == null) {
      jitter = interval.dividedBy(10);
    } else if (jitter.compareTo(interval) > 0) {
      SectionReaders.at(a, "jitter", "longer than interval (expected: jitter ≤ interval)");
    }
    List<HealthConfig.StatusRange> statuses = statuses(a);
    int healthy = a.integer("healthy-threshold", 2, 1, 100);
    int unhealthy = a.integer("unhealthy-threshold", 3, 1, 100);
    a.finish();
    return new HealthConfig.Active(
        type,
        type == HealthConfig.ProbeType.HTTP ? path : null,
        method == null ? "GET" : method.toUpperCase(Locale.ROOT),
        type == HealthConfig.ProbeType.GRPC ? authority : host,
        interval,
        jitter,
        timeout,
        statuses,
        healthy,
        unhealthy,
        grpcService);
  }

  private List<HealthConfig.StatusRange> statuses(ConfigReader a) {
    if (!a.has("expected-statuses")) {
      return HealthConfig.Active.DEFAULT_STATUSES;
    }
    List<HealthConfig.StatusRange> out = new ArrayList<>();
    for (ConfigNode n : a.list("expected-statuses")) {
      HealthConfig.StatusRange range = n.isScalar() ? statusRange(n.text()) : null;
      if (range == null) {
        problems.expected(n, "a status from 100 to 599, or a class such as 2xx");
      } else {
        out.add(range);
      }
    }
    if (out.isEmpty()) {
      a.expected("expected-statuses", "at least one status, e.g. [200] or [2xx, 3xx]");
      return HealthConfig.Active.DEFAULT_STATUSES;
    }
    return List.copyOf(out);
  }

  static HealthConfig.@Nullable StatusRange statusRange(@Nullable String text) {
    if (text == null) {
      return null;
    }
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.length() == 3 && t.endsWith("xx") && t.charAt(0) >= '1' && t.charAt(0) <= '5') {
      int from = (t.charAt(0) - '0') * 100;
      return new HealthConfig.StatusRange(from, from + 99);
    }
    try {
      int code = Integer.parseInt(t);
      return code >= 100 && code <= 599 ? new HealthConfig.StatusRange(code, code) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private HealthConfig.Passive passive(ConfigReader p) {
    HealthConfig.Passive d = HealthConfig.Passive.DEFAULTS;
    Duration base =
        p.duration("base-ejection-time", d.baseEjectionTime(), Duration.ofMillis(1), MAX);
    Duration max = p.duration("max-ejection-time", d.maxEjectionTime(), Duration.ofMillis(1), MAX);
    if (base != null && max != null && max.compareTo(base) < 0) {
      SectionReaders.at(p, "max-ejection-time", "shorter than base-ejection-time");
    }
    HealthConfig.Passive passive =
        new HealthConfig.Passive(
            p.integer("consecutive-5xx", d.consecutive5xx(), 1, 1000),
            p.integer("consecutive-gateway-failures", d.consecutiveGatewayFailures(), 1, 1000),
            base,
            max,
            p.integer("max-ejected-percent", d.maxEjectedPercent(), 0, 100));
    p.finish();
    return passive;
  }

  private HealthConfig.CircuitBreaker breaker(ConfigReader b) {
    int maxConnections = b.integer("max-connections", 0, 0, 1_000_000);
    int maxPending = b.integer("max-pending", 0, 0, 1_000_000);
    int maxInFlight = b.integer("max-in-flight", 0, 0, 1_000_000);
    HealthConfig.FailureRate rate = null;
    if (b.has("failure-rate")) {
      ConfigReader f = b.object("failure-rate");
      Duration window = f.duration("window", Duration.ofSeconds(10), Duration.ofMillis(100), MAX);
      int minimum = f.integer("minimum-requests", 20, 1, 1_000_000);
      Double threshold =
          f.value(
              "threshold",
              0.5,
              "a share of failed requests above 0 and at most 1, e.g. 0.5",
              (text, node) -> {
                try {
                  double v = Double.parseDouble(text);
                  return v > 0 && v <= 1 ? v : null;
                } catch (NumberFormatException e) {
                  return null;
                }
              });
      Duration open =
          f.duration("open-duration", Duration.ofSeconds(30), Duration.ofMillis(1), MAX);
      int halfOpen = f.integer("half-open-requests", 3, 1, 1000);
      f.finish();
      rate =
          new HealthConfig.FailureRate(
              window, minimum, threshold == null ? 0.5 : threshold, open, halfOpen);
    }
    b.finish();
    if (maxConnections == 0 && maxPending == 0 && maxInFlight == 0 && rate == null) {
      problems.at(
          b.node(),
          "an empty circuit-breaker (expected: a limit or failure-rate; remove it to turn it off)");
    }
    return new HealthConfig.CircuitBreaker(maxConnections, maxPending, maxInFlight, rate);
  }
}
