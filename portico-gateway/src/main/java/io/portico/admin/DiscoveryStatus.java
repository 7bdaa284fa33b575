package io.portico.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import io.portico.snapshot.Snapshot;
import io.portico.upstream.EndpointSource;
import io.portico.upstream.UpstreamService;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;

/**
 * The {@code services} field of {@code GET /status}: per service of the active snapshot, where its
 * endpoints come from and how fresh they are.
 *
 * <pre>{@code
 * "services": {
 *   "users": { "discovery": "dns", "state": "stale", "source_state": "STALE", "endpoints": 3,
 *              "last_error": "...", "last_update": "2026-...Z", "changed_at": "2026-...Z" }
 * }
 * }</pre>
 *
 * {@code state} is {@code ok} (the registry answered last time), {@code stale} (it did not; the
 * last known endpoints serve) or {@code error} (it did not and no endpoint is known).
 */
final class DiscoveryStatus {

  private DiscoveryStatus() {}

  static void write(JsonGenerator g, Snapshot snapshot) throws IOException {
    g.writeObjectFieldStart("services");
    for (Map.Entry<String, UpstreamService> e : snapshot.services().entrySet()) {
      EndpointSource.Status status = e.getValue().source().status();
      g.writeObjectFieldStart(e.getKey());
      g.writeStringField("discovery", kind(snapshot, e.getKey()));
      g.writeStringField("state", health(status));
      g.writeStringField("source_state", status.state().name());
      g.writeNumberField("endpoints", status.endpoints());
      if (status.lastError() != null) {
        g.writeStringField("last_error", status.lastError());
      }
      Instant lastUpdate = status.lastUpdate();
      if (lastUpdate != null) {
        g.writeStringField("last_update", lastUpdate.toString());
      }
      g.writeStringField("changed_at", status.changedAt().toString());
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private static String kind(Snapshot snapshot, String service) {
    return snapshot.config().services().stream()
        .filter(s -> service.equals(s.name()) && s.discovery() != null)
        .map(s -> s.discovery().kind().name())
        .findFirst()
        .orElse("static");
  }

  /** {@code ok}, {@code stale} or {@code error}, as the admin API shows a source. */
  static String health(EndpointSource.Status status) {
    if (status.lastError() == null) {
      return "ok";
    }
    return status.endpoints() > 0 ? "stale" : "error";
  }
}
