package io.portico.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.portico.observe.log.SinkStats;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;

/**
 * {@code GET /status}: liveness (always {@code ok} while the process runs), the build and config
 * versions, the process's uptime, each service's endpoint source ({@link DiscoveryStatus}) and each
 * access-log sink's counts.
 */
final class StatusEndpoint {

  private static final JsonFactory JSON = new JsonFactory();

  private StatusEndpoint() {}

  /** The body of {@code GET /status}. */
  static String write(AdminApi api) throws IOException {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("status", "ok");
      g.writeStringField("version", api.buildVersion());
      g.writeStringField("config_version", api.snapshot().version());
      // The process's, as Prometheus' process_uptime_seconds: not since the first admin call.
      g.writeNumberField("uptime_seconds", ManagementFactory.getRuntimeMXBean().getUptime() / 1000);
      DiscoveryStatus.write(g, api.snapshot());
      accessLog(g, api);
      g.writeEndObject();
    }
    return w.toString();
  }

  /** Each access-log sink: {@code name, type, queued, delivered, dropped, failed}. */
  private static void accessLog(JsonGenerator g, AdminApi api) throws IOException {
    g.writeArrayFieldStart("access_log_sinks");
    for (SinkStats sink : api.accessLogSinks()) {
      g.writeStartObject();
      g.writeStringField("name", sink.name());
      g.writeStringField("type", sink.type());
      g.writeNumberField("queued", sink.queued());
      g.writeNumberField("delivered", sink.delivered());
      g.writeNumberField("dropped", sink.dropped());
      g.writeNumberField("failed", sink.failed());
      g.writeEndObject();
    }
    g.writeEndArray();
  }
}
