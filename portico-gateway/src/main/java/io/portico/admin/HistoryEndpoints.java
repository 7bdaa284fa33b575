package io.portico.admin;

import static io.portico.admin.AdminHandler.json;
import static io.portico.admin.AdminHandler.problem;
import static io.portico.admin.ObjectEndpoints.MAPPER;
import static io.portico.admin.ObjectEndpoints.configPrecondition;
import static io.portico.admin.ObjectEndpoints.notFound;
import static io.portico.admin.ObjectEndpoints.now;
import static io.portico.admin.ObjectEndpoints.number;
import static io.portico.admin.ObjectEndpoints.param;
import static io.portico.admin.ObjectEndpoints.result;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.portico.admin.ObjectEndpoints.Outcome;
import io.portico.store.AuditEntry;
import io.portico.store.ConfigStore;
import io.portico.store.ConfigVersion;
import io.portico.store.ObjectKey;
import io.portico.store.Precondition;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The config's history over HTTP: {@code GET /config/versions}, {@code GET /config/diff}, {@code
 * POST /config/versions/{n}/rollback} and {@code GET /audit}, dispatched here by {@link
 * ObjectEndpoints} after its method, role and dry-run checks.
 *
 * <p>The reads run on the event loop from the admin store ({@link AdminApi#store}; empty lists
 * without one); a rollback is a write that {@link AdminApi#rollback} runs on the admin thread.
 */
final class HistoryEndpoints {

  private HistoryEndpoints() {}

  /** {@code POST /config/versions/{n}/rollback}, {@code n} as given in the path. */
  static Outcome rollback(FullHttpRequest req, String version, AdminAuth.Caller caller) {
    long number = number(version);
    if (number < 1) {
      return now(notFound(new QueryStringDecoder(req.uri()).path()));
    }
    List<Precondition> pre = configPrecondition(req);
    return new Outcome.Later(a -> result(a.rollback(number, caller.name(), pre), null));
  }

  static FullHttpResponse versions(AdminApi api) throws IOException {
    ConfigStore store = api.store();
    StringWriter w = new StringWriter();
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("config_version", api.snapshot().version());
      g.writeArrayFieldStart("versions");
      for (ConfigVersion v : store == null ? List.<ConfigVersion>of() : store.versions()) {
        g.writeStartObject();
        g.writeNumberField("number", v.number());
        g.writeStringField("time", v.time().toString());
        g.writeStringField("actor", v.actor());
        g.writeStringField("action", v.action());
        g.writeStringField("config_version", v.configVersion());
        g.writeArrayFieldStart("changed");
        for (ObjectKey k : v.changed()) {
          g.writeString(k.toString());
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    return json(HttpResponseStatus.OK, w.toString());
  }

  /**
   * {@code GET /config/diff?from=N&to=M}: the objects of the effective config added, changed and
   * removed between two stored versions ({@code to} defaults to the newest).
   */
  static FullHttpResponse diff(AdminApi api, QueryStringDecoder q, AdminAuth.Caller caller)
      throws IOException {
    ConfigStore store = api.store();
    long from = number(param(q, "from"));
    String toText = param(q, "to");
    ConfigVersion newest = store == null ? null : store.latest().orElse(null);
    long to = toText.isEmpty() ? (newest == null ? -1 : newest.number()) : number(toText);
    ConfigVersion a = store == null ? null : store.version(from).orElse(null);
    ConfigVersion b = store == null ? null : store.version(to).orElse(null);
    if (a == null || b == null) {
      return problem(
          HttpResponseStatus.NOT_FOUND,
          "admin-not-found",
          "No kept version "
              + (a == null ? "from=" + param(q, "from") : "to=" + toText)
              + "; GET /config/versions lists them.");
    }
    List<String> added = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    TreeSet<ObjectKey> all = new TreeSet<>(a.etags().keySet());
    all.addAll(b.etags().keySet());
    for (ObjectKey k : all) {
      String before = a.etags().get(k);
      String after = b.etags().get(k);
      if (before == null) {
        added.add(k.toString());
      } else if (after == null) {
        removed.add(k.toString());
      } else if (!before.equals(after)) {
        changed.add(k.toString());
      }
    }
    ObjectNode out = MAPPER.createObjectNode();
    out.put("from", a.number());
    out.put("to", b.number());
    added.forEach(out.putArray("added")::add);
    changed.forEach(out.putArray("changed")::add);
    removed.forEach(out.putArray("removed")::add);
    if (caller.canWrite()) {
      // Objects in full hold secrets: the YAML diff is for the callers who may see them.
      StringBuilder text = new StringBuilder();
      for (ObjectKey k : all) {
        text.append(
            DryRun.unifiedDiff(
                k,
                DryRun.yamlOfJson(a.layer().objects().get(k)),
                DryRun.yamlOfJson(b.layer().objects().get(k))));
      }
      out.put("diff", text.toString());
    }
    return json(HttpResponseStatus.OK, MAPPER.writeValueAsString(out));
  }

  static FullHttpResponse audit(AdminApi api, QueryStringDecoder q) throws IOException {
    ConfigStore store = api.store();
    long limit = param(q, "limit").isEmpty() ? 100 : number(param(q, "limit"));
    if (limit < 1 || limit > 1000) {
      return problem(
          HttpResponseStatus.BAD_REQUEST,
          "admin-bad-request",
          "limit: \"" + param(q, "limit") + "\" (expected: a number from 1 to 1000)");
    }
    ObjectNode out = MAPPER.createObjectNode();
    var entries = out.putArray("entries");
    for (AuditEntry e : store == null ? List.<AuditEntry>of() : store.audit((int) limit)) {
      e.writeTo(entries.addObject());
    }
    return json(HttpResponseStatus.OK, MAPPER.writeValueAsString(out));
  }
}
