package io.portico.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import io.portico.snapshot.Snapshot;
import io.portico.upstream.EndpointSource;
import io.portico.upstream.UpstreamService;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@code services} field of {@code GET /status}: per service of the active snapshot, where its
 * endpoints come from and how fresh they are.
 *
 * <pre>{@code
 * "services": {
 *   "users": { "discovery": "dns", "state": "stale", "source_state": "STALE", "endpoints": 3,
 *              "last_error": "...", "left_out": "...", "last_update": "2026-...Z",
 *              "changed_at": "2026-...Z" }
 * }
 * }</pre>
 *
 * {@code state} is {@code ok} (the registry answered last time with endpoints), {@code empty} (it
 * answered, listing none: the service answers 503), {@code waiting} (no answer yet), {@code stale}
 * (it did not answer; the last known endpoints serve) or {@code error} (it did not answer and no
 * endpoint is known). Every state but {@code ok} comes with a {@code reason} in words. {@code
 * left_out} says what the registry's last list had that the service's address filter or {@code
 * max-endpoints} left out.
 */
final class DiscoveryStatus {

  private DiscoveryStatus() {}

  static void write(JsonGenerator g, Snapshot snapshot) throws IOException {
    g.writeObjectFieldStart("services");
    for (Map.Entry<String, UpstreamService> e : snapshot.services().entrySet()) {
      EndpointSource.Status status = e.getValue().source().status();
      g.writeObjectFieldStart(e.getKey());
      g.writeStringField("discovery", kind(snapshot, e.getKey()));
      String health = health(status);
      g.writeStringField("state", health);
      g.writeStringField("source_state", status.state().name());
      g.writeNumberField("endpoints", status.endpoints());
      if (status.lastError() != null) {
        g.writeStringField("last_error", status.lastError());
      }
      if (status.leftOut() != null) {
        g.writeStringField("left_out", status.leftOut());
      }
      String reason = reason(health, status);
      if (reason != null) {
        g.writeStringField("reason", reason);
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

  /**
   * {@code ok}, {@code empty}, {@code waiting}, {@code stale} or {@code error}, as the admin API
   * shows a source.
   */
  static String health(EndpointSource.Status status) {
    if (status.lastError() != null) {
      return status.endpoints() > 0 ? "stale" : "error";
    }
    if (status.state() == EndpointSource.State.STARTING) {
      return "waiting";
    }
    return status.endpoints() > 0 ? "ok" : "empty";
  }

  /** Why a source is not {@code ok}, in words; null when it is. */
  static @Nullable String reason(String health, EndpointSource.Status status) {
    return switch (health) {
      case "waiting" ->
          "no answer from the registry yet; the service answers 503 until it lists"
              + " an endpoint";
      case "empty" -> "the registry lists no endpoint; the service answers 503 until it lists one";
      case "stale" ->
          "the registry's last answer could not be used (see last_error); the last"
              + " known "
              + status.endpoints()
              + " endpoint(s) keep serving";
      case "error" ->
          "no usable answer from the registry (see last_error) and no endpoint is"
              + " known; the service answers 503";
      default -> null;
    };
  }
}
