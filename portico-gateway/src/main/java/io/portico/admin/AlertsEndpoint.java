package io.portico.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.observe.alert.AlertStatus;
import io.portico.observe.alert.Alerting;
import io.portico.observe.alert.Silence;
import io.portico.spi.config.ConfigReader;
import io.portico.store.AuditEntry;
import io.portico.store.ConfigStore;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alerting endpoints, answered off the event loops:
 *
 * <ul>
 *   <li>{@code GET /alerts}: every rule's alert (state, value, since, last notification, the
 *       silences that match it), the silences in force, and each notifier's counts
 *   <li>{@code GET /alerts/silences}: the silences in force
 *   <li>{@code POST /alerts/silences}: creates a silence from {@code {"matchers": {...},
 *       "duration": "2h"}} or {@code "ends_at": "<instant>"}, and an optional {@code comment}; 201
 *       with the silence
 *   <li>{@code DELETE /alerts/silences/{id}}: deletes one; 204, 404, or 409 for a silence of the
 *       config
 * </ul>
 *
 * Writes need a token that may write, like every other admin write, and each one that gets past
 * that check is appended to the audit log ({@code create silence}, {@code delete silence}) with the
 * caller's name, applied or not.
 */
final class AlertsEndpoint {

  private static final Logger log = LoggerFactory.getLogger(AlertsEndpoint.class);
  private static final JsonFactory JSON = new JsonFactory();
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String SILENCES = "/alerts/silences";

  private AlertsEndpoint() {}

  static boolean handles(String path) {
    return path.equals("/alerts") || path.equals(SILENCES) || path.startsWith(SILENCES + "/");
  }

  /** The answer to {@code req}; may block briefly on the evaluator, so call off the event loop. */
  static FullHttpResponse handle(
      FullHttpRequest req,
      String path,
      @Nullable Alerting alerting,
      @Nullable ConfigStore store,
      AdminAuth.Caller caller)
      throws IOException {
    HttpMethod method = req.method();
    boolean read = method == HttpMethod.GET || method == HttpMethod.HEAD;
    if (path.equals("/alerts") || (path.equals(SILENCES) && read)) {
      if (!read) {
        return AdminHandler.methodNotAllowed("GET");
      }
      if (alerting == null) {
        return off();
      }
      AlertStatus status = alerting.status();
      return AdminHandler.json(
          HttpResponseStatus.OK,
          path.equals("/alerts") ? status(status) : silences(status.silences()));
    }
    boolean create = path.equals(SILENCES);
    if (create ? method != HttpMethod.POST : method != HttpMethod.DELETE) {
      return AdminHandler.methodNotAllowed(create ? "GET, POST" : "DELETE");
    }
    if (!caller.canWrite()) {
      return AdminHandler.problem(
          HttpResponseStatus.FORBIDDEN, "admin-forbidden", caller.readOnly());
    }
    if (alerting == null) {
      return off();
    }
    if (create) {
      return create(req, alerting, store, caller);
    }
    String id = path.substring(SILENCES.length() + 1);
    FullHttpResponse r = delete(id, alerting);
    audit(store, caller, "delete silence", r, "silence " + id);
    return r;
  }

  /**
   * Appends a silence write to the audit log: {@code applied} for a 2xx answer, else {@code
   * rejected} ({@code conflict} for a silence of the config) with the problem's detail.
   */
  private static void audit(
      @Nullable ConfigStore store,
      AdminAuth.Caller caller,
      String action,
      FullHttpResponse r,
      String what) {
    if (store == null) {
      return;
    }
    int code = r.status().code();
    String outcome = code < 300 ? "applied" : code == 409 ? "conflict" : "rejected";
    String detail = what;
    if (code >= 300) {
      try {
        JsonNode problem = MAPPER.readTree(new ByteBufInputStream(r.content().duplicate()));
        detail = what + ": " + problem.path("detail").asText("");
      } catch (IOException e) {
        detail = what + ": " + r.status();
      }
    }
    try {
      store.audit(new AuditEntry(Instant.now(), caller.name(), action, outcome, null, detail));
    } catch (IOException e) {
      log.warn("the admin audit log could not be written: {}", e.toString());
    }
  }

  private static FullHttpResponse off() {
    return AdminHandler.problem(
        HttpResponseStatus.NOT_FOUND,
        "alerting-off",
        "Alerting is off: the gateway started without an alerts section.");
  }

  private static FullHttpResponse create(
      FullHttpRequest req, Alerting alerting, @Nullable ConfigStore store, AdminAuth.Caller caller)
      throws IOException {
    FullHttpResponse r = create(req, alerting, caller);
    String location = r.headers().get(HttpHeaderNames.LOCATION);
    audit(
        store,
        caller,
        "create silence",
        r,
        location == null
            ? "silence"
            : "silence " + location.substring(SILENCES.length() + 1) + " " + described(r));
    return r;
  }

  /** {@code rule=api-errors, route=orders until 2026-12-06T22:00:00Z: comment} of a new silence. */
  private static String described(FullHttpResponse created) {
    try {
      JsonNode s = MAPPER.readTree(new ByteBufInputStream(created.content().duplicate()));
      StringBuilder b = new StringBuilder();
      for (Map.Entry<String, JsonNode> m : s.path("matchers").properties()) {
        b.append(b.isEmpty() ? "" : ", ")
            .append(m.getKey())
            .append('=')
            .append(m.getValue().asText());
      }
      b.append(" until ").append(s.path("ends_at").asText());
      String comment = s.path("comment").asText("");
      return comment.isEmpty() ? b.toString() : b + ": " + comment;
    } catch (IOException e) {
      return "";
    }
  }

  private static FullHttpResponse create(
      FullHttpRequest req, Alerting alerting, AdminAuth.Caller caller) throws IOException {
    JsonNode body;
    try (ByteBufInputStream in = new ByteBufInputStream(req.content().duplicate())) {
      body = MAPPER.readTree(in);
    } catch (IOException e) {
      return invalid("the body is not JSON");
    }
    if (body == null || !body.isObject()) {
      return invalid("the body must be a JSON object with matchers and duration or ends_at");
    }
    JsonNode matchersNode = body.get("matchers");
    if (matchersNode == null || !matchersNode.isObject() || matchersNode.isEmpty()) {
      return invalid(
          "matchers: expected a non-empty object of label: value, such as {\"rule\": \"api-errors\"}");
    }
    Map<String, String> matchers = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : matchersNode.properties()) {
      if (!e.getValue().isTextual()) {
        return invalid("matchers." + e.getKey() + ": expected a string");
      }
      matchers.put(e.getKey(), e.getValue().asText());
    }
    JsonNode durationNode = body.get("duration");
    JsonNode endsNode = body.get("ends_at");
    Instant now = Instant.now();
    Instant endsAt;
    if ((durationNode == null) == (endsNode == null)) {
      return invalid("expected one of duration (such as \"2h\") or ends_at (an instant)");
    } else if (durationNode != null) {
      Duration d =
          durationNode.isTextual() ? ConfigReader.parseDuration(durationNode.asText()) : null;
      if (d == null || d.isZero() || d.compareTo(Duration.ofDays(365)) > 0) {
        return invalid("duration: expected a duration from 1ms to 365d, such as 2h");
      }
      endsAt = now.plus(d);
    } else {
      try {
        endsAt = Instant.parse(endsNode.asText());
      } catch (DateTimeParseException e) {
        return invalid("ends_at: expected an instant such as 2026-12-31T23:00:00Z");
      }
      if (!endsAt.isAfter(now)) {
        return invalid("ends_at: expected an instant in the future");
      }
    }
    JsonNode commentNode = body.get("comment");
    String comment = commentNode == null ? "" : commentNode.asText();
    Silence s = alerting.silence(matchers, endsAt, comment, caller.name());
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      silence(g, s);
    }
    FullHttpResponse r = AdminHandler.json(HttpResponseStatus.CREATED, w.toString());
    r.headers().set(HttpHeaderNames.LOCATION, SILENCES + "/" + s.id());
    return r;
  }

  private static FullHttpResponse delete(String id, Alerting alerting) {
    return switch (alerting.unsilence(id)) {
      case DELETED -> {
        FullHttpResponse r = AdminHandler.json(HttpResponseStatus.NO_CONTENT, "");
        r.headers().remove(HttpHeaderNames.CONTENT_TYPE);
        yield r;
      }
      case NOT_FOUND ->
          AdminHandler.problem(
              HttpResponseStatus.NOT_FOUND, "admin-not-found", "No silence " + id + ".");
      case FROM_CONFIG ->
          AdminHandler.problem(
              HttpResponseStatus.CONFLICT,
              "silence-in-config",
              "Silence " + id + " is defined in the config file; remove it there.");
    };
  }

  private static FullHttpResponse invalid(String detail) {
    return AdminHandler.problem(HttpResponseStatus.BAD_REQUEST, "invalid-silence", detail);
  }

  private static String status(AlertStatus s) throws IOException {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      instant(g, "evaluated_at", s.evaluatedAt());
      g.writeArrayFieldStart("rules");
      for (AlertStatus.Rule r : s.rules()) {
        g.writeStartObject();
        g.writeStringField("name", r.name());
        g.writeStringField("kind", r.kind());
        g.writeStringField("state", r.state());
        number(g, "value", r.value());
        number(g, "threshold", r.threshold());
        number(g, "resolve_threshold", r.resolveThreshold());
        g.writeObjectFieldStart("labels");
        for (Map.Entry<String, String> e : r.labels().entrySet()) {
          g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
        instant(g, "since", r.since());
        instant(g, "starts_at", r.startsAt());
        instant(g, "last_notified", r.lastNotified());
        strings(g, "notifiers", r.notifiers());
        strings(g, "silenced_by", r.silencedBy());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("silences");
      for (Silence silence : s.silences()) {
        silence(g, silence);
      }
      g.writeEndArray();
      g.writeArrayFieldStart("notifiers");
      for (AlertStatus.NotifierCounts n : s.notifiers()) {
        g.writeStartObject();
        g.writeStringField("name", n.name());
        g.writeStringField("type", n.type());
        g.writeNumberField("sent", n.sent());
        g.writeNumberField("failed", n.failed());
        g.writeNumberField("dropped", n.dropped());
        g.writeNumberField("retried", n.retried());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    return w.toString();
  }

  private static String silences(List<Silence> silences) throws IOException {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      g.writeArrayFieldStart("silences");
      for (Silence s : silences) {
        silence(g, s);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    return w.toString();
  }

  private static void silence(JsonGenerator g, Silence s) throws IOException {
    g.writeStartObject();
    g.writeStringField("id", s.id());
    g.writeObjectFieldStart("matchers");
    for (Map.Entry<String, String> e : s.matchers().entrySet()) {
      g.writeStringField(e.getKey(), e.getValue());
    }
    g.writeEndObject();
    instant(g, "starts_at", s.startsAt());
    instant(g, "ends_at", s.endsAt());
    g.writeStringField("comment", s.comment());
    g.writeStringField("created_by", s.createdBy());
    g.writeStringField("source", s.fromConfig() ? "config" : "api");
    g.writeEndObject();
  }

  private static void instant(JsonGenerator g, String name, @Nullable Instant at)
      throws IOException {
    if (at == null) {
      g.writeNullField(name);
    } else {
      g.writeStringField(name, at.toString());
    }
  }

  private static void number(JsonGenerator g, String name, double v) throws IOException {
    if (Double.isFinite(v)) {
      g.writeNumberField(name, v);
    } else {
      g.writeNullField(name);
    }
  }

  private static void strings(JsonGenerator g, String name, List<String> values)
      throws IOException {
    g.writeArrayFieldStart(name);
    for (String v : values) {
      g.writeString(v);
    }
    g.writeEndArray();
  }
}
