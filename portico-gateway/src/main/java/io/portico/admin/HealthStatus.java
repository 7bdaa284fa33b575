package io.portico.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.config.HealthConfig;
import io.portico.snapshot.Snapshot;
import io.portico.spi.config.ConfigReader;
import io.portico.upstream.Endpoint;
import io.portico.upstream.UpstreamService;
import io.portico.upstream.health.ActiveChecker;
import io.portico.upstream.health.CircuitBreaker;
import io.portico.upstream.health.OutlierDetector;
import io.portico.upstream.health.ServiceHealth;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /services/{name}/health}: the service's health settings and, per endpoint its source
 * lists now, whether it may be picked and why not.
 *
 * <pre>{@code
 * { "service": "users", "all_unhealthy": "try-all", "available": 2,
 *   "active": { "type": "http", "path": "/healthz", "interval": "5s", ... },
 *   "passive": { "consecutive_5xx": 5, ... },
 *   "circuit_breaker": { "state": "closed", "times_opened": 0, "in_flight": 3, ... },
 *   "endpoints": [
 *     { "address": "10.0.1.10:8080", "available": false, "in_flight": 0,
 *       "active": { "state": "unhealthy", "probes": 12, "last_result": "503", ... },
 *       "passive": { "ejected": true, "ejected_until": "2026-...Z", "ejections": 2 } } ] }
 * }</pre>
 *
 * A section is {@code null} when the service does not use it. Reads the live state (volatile reads
 * and atomics); allocates only the answer.
 */
final class HealthStatus {

  private static final JsonFactory JSON = new JsonFactory();

  private HealthStatus() {}

  static String write(UpstreamService service, @Nullable HealthConfig config) throws IOException {
    ServiceHealth health = service.health() instanceof ServiceHealth h ? h : null;
    List<Endpoint> endpoints = service.source().endpoints();
    Set<Endpoint> available = new HashSet<>(service.health().available(endpoints));
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("service", service.name());
      HealthConfig.AllUnhealthy all =
          config == null ? HealthConfig.AllUnhealthy.TRY_ALL : config.allUnhealthy();
      g.writeStringField("all_unhealthy", all.name().toLowerCase(Locale.ROOT).replace('_', '-'));
      g.writeNumberField("endpoints_listed", endpoints.size());
      g.writeNumberField("available", available.size());
      writeActiveConfig(g, config == null ? null : config.active());
      writePassiveConfig(g, config == null ? null : config.passive());
      writeBreaker(g, health == null ? null : health.breaker());
      g.writeArrayFieldStart("endpoints");
      for (Endpoint e : endpoints) {
        writeEndpoint(g, e, available.contains(e), health);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    return w.toString();
  }

  private static void writeActiveConfig(JsonGenerator g, HealthConfig.@Nullable Active a)
      throws IOException {
    if (a == null) {
      g.writeNullField("active");
      return;
    }
    g.writeObjectFieldStart("active");
    g.writeStringField("type", a.type().name().toLowerCase(Locale.ROOT));
    if (a.type() == HealthConfig.ProbeType.HTTP) {
      g.writeStringField("method", a.method());
      g.writeStringField("path", a.path());
    }
    g.writeStringField("interval", ConfigReader.formatDuration(a.interval()));
    g.writeStringField("jitter", ConfigReader.formatDuration(a.jitter()));
    g.writeStringField("timeout", ConfigReader.formatDuration(a.timeout()));
    g.writeNumberField("healthy_threshold", a.healthyThreshold());
    g.writeNumberField("unhealthy_threshold", a.unhealthyThreshold());
    g.writeEndObject();
  }

  private static void writePassiveConfig(JsonGenerator g, HealthConfig.@Nullable Passive p)
      throws IOException {
    if (p == null) {
      g.writeNullField("passive");
      return;
    }
    g.writeObjectFieldStart("passive");
    g.writeNumberField("consecutive_5xx", p.consecutive5xx());
    g.writeNumberField("consecutive_gateway_failures", p.consecutiveGatewayFailures());
    g.writeStringField("base_ejection_time", ConfigReader.formatDuration(p.baseEjectionTime()));
    g.writeStringField("max_ejection_time", ConfigReader.formatDuration(p.maxEjectionTime()));
    g.writeNumberField("max_ejected_percent", p.maxEjectedPercent());
    g.writeEndObject();
  }

  private static void writeBreaker(JsonGenerator g, @Nullable CircuitBreaker b) throws IOException {
    if (b == null) {
      g.writeNullField("circuit_breaker");
      return;
    }
    HealthConfig.CircuitBreaker c = b.config();
    g.writeObjectFieldStart("circuit_breaker");
    g.writeStringField("state", b.state().name().toLowerCase(Locale.ROOT).replace('_', '-'));
    g.writeNumberField("times_opened", b.timesOpened());
    g.writeNumberField("in_flight", b.inFlight());
    g.writeNumberField("pending", b.pending());
    g.writeNumberField("connections", b.connections());
    g.writeNumberField("max_in_flight", c.maxInFlight());
    g.writeNumberField("max_pending", c.maxPending());
    g.writeNumberField("max_connections", c.maxConnections());
    g.writeEndObject();
  }

  private static void writeEndpoint(
      JsonGenerator g, Endpoint e, boolean available, @Nullable ServiceHealth health)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("address", e.authority());
    g.writeStringField(
        "resolved",
        e.address().getAddress() == null
            ? e.address().getHostString()
            : e.address().getAddress().getHostAddress() + ":" + e.address().getPort());
    g.writeNumberField("weight", e.weight());
    g.writeBooleanField("available", available);
    if (health == null) {
      g.writeNullField("in_flight");
      g.writeNullField("active");
      g.writeNullField("passive");
      g.writeEndObject();
      return;
    }
    g.writeNumberField("in_flight", health.inFlight(e));
    ActiveChecker active = health.active();
    ActiveChecker.ProbeState probe = active == null ? null : active.state(e);
    if (probe == null) {
      g.writeNullField("active");
    } else {
      g.writeObjectFieldStart("active");
      g.writeStringField("state", probe.up() ? "healthy" : "unhealthy");
      g.writeNumberField("probes", probe.probes());
      writeOptional(g, "last_result", probe.lastResult());
      writeOptional(g, "last_probe_at", probe.lastProbeAt());
      writeOptional(g, "changed_at", probe.changedAt());
      g.writeEndObject();
    }
    OutlierDetector passive = health.passive();
    if (passive == null) {
      g.writeNullField("passive");
    } else {
      Duration left = passive.remainingEjection(e);
      g.writeObjectFieldStart("passive");
      g.writeBooleanField("ejected", left != null);
      writeOptional(g, "ejected_until", left == null ? null : Instant.now().plus(left));
      g.writeNumberField("ejections", passive.ejections(e));
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private static void writeOptional(JsonGenerator g, String field, @Nullable Object value)
      throws IOException {
    if (value == null) {
      g.writeNullField(field);
    } else {
      g.writeStringField(field, value.toString());
    }
  }

  /** {@code GET /services/{name}/health}: see {@link HealthStatus}. */
  static void serve(ChannelHandlerContext ctx, AdminApi api, String name, boolean keepAlive)
      throws IOException {
    Snapshot s = api.snapshot();
    io.portico.upstream.UpstreamService service = s.services().get(name);
    if (service == null) {
      AdminHandler.send(
          ctx,
          AdminHandler.problem(
              HttpResponseStatus.NOT_FOUND, "admin-not-found", "No service " + name + "."),
          keepAlive);
      return;
    }
    io.portico.config.HealthConfig config =
        s.config().services().stream()
            .filter(c -> c.name().equals(name))
            .map(io.portico.config.ServiceConfig::health)
            .findFirst()
            .orElse(null);
    AdminHandler.send(
        ctx,
        AdminHandler.json(HttpResponseStatus.OK, HealthStatus.write(service, config)),
        keepAlive);
  }
}
