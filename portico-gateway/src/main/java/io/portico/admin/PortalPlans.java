package io.portico.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.portico.accounts.Outcome;
import io.portico.config.PortalConfig;
import io.portico.portal.PlanEdit;
import io.portico.portal.Portal;
import io.portico.portal.PortalData.Application;
import io.portico.portal.PortalData.Plan;
import io.portico.portal.PortalData.Subscription;
import io.portico.spi.plugin.StatusReasons;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code /portal/api/plans}: the catalogue with its plans ({@code GET}), a new plan ({@code POST}),
 * one plan ({@code GET /portal/api/plans/{name}}), a change to one ({@code PATCH}, the fields it
 * names, its name too) and its deletion ({@code DELETE}, with {@code ?move-to=<plan>} for the
 * subscriptions that hold it). Writes are for operators and admins; a viewer's is {@code 403}
 * before anything is read. Called off the event loop, since {@link Portal} writes the store and the
 * config.
 *
 * <p>A plan's answers carry its {@code ETag} ({@link Plan#etag}), and the catalogue each plan's
 * {@code etag}; {@code PATCH} and {@code DELETE} honour {@code If-Match} as the admin API's objects
 * do ({@link ObjectEndpoints}): optional, {@code *} for any version, {@code 412} when the plan has
 * changed since.
 */
final class PortalPlans {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> EDITABLE =
      Set.of(
          "name",
          "description",
          "requests_per_minute",
          "auto_approve",
          "quota",
          "quota_period",
          "quota_window",
          "deprecated");

  private PortalPlans() {}

  static FullHttpResponse handle(
      FullHttpRequest req,
      String path,
      List<String> seg,
      AdminAuth.Caller caller,
      Portal portal,
      AdminApi api,
      Portal.Objects gateway)
      throws IOException {
    HttpMethod m = req.method();
    boolean read = m == HttpMethod.GET || m == HttpMethod.HEAD;
    if (seg.size() == 2) {
      String name = seg.get(1);
      if (read) {
        Plan plan = portal.plan(name);
        if (plan == null) {
          return AdminHandler.problem(
              HttpResponseStatus.NOT_FOUND, "portal-not-found", "No plan " + name + ".");
        }
        ObjectNode n = JSON.createObjectNode();
        planJson(n, plan, portal);
        return tagged(AdminHandler.json(HttpResponseStatus.OK, JSON.writeValueAsString(n)), plan);
      }
      if (m != HttpMethod.PATCH && m != HttpMethod.DELETE) {
        return AdminHandler.methodNotAllowed("GET, PATCH, DELETE");
      }
      if (!caller.canWrite()) {
        return PortalEndpoints.operatorsOnly(caller);
      }
      String ifMatch = ifMatch(req);
      if (m == HttpMethod.DELETE) {
        return delete(req, name, ifMatch, caller, portal, gateway);
      }
      JsonNode b = RequestJson.object(req);
      if (b == null) {
        return PortalEndpoints.invalid(
            "the body: (expected: a JSON object of the fields to change)");
      }
      String bad = badField(b);
      if (bad != null) {
        return PortalEndpoints.invalid(bad);
      }
      Outcome<Plan> o = portal.updatePlan(caller.name(), name, edit(b), ifMatch, gateway);
      FullHttpResponse r =
          PortalEndpoints.answer(o, HttpResponseStatus.OK, (n, p) -> planJson(n, p, portal));
      Plan changed = o.value();
      if (changed != null && !changed.name().equals(name)) {
        r.headers()
            .set(HttpHeaderNames.LOCATION, PortalEndpoints.PREFIX + "plans/" + changed.name());
      }
      return changed == null ? r : tagged(r, changed);
    }
    if (seg.size() != 1) {
      return PortalEndpoints.notFound(path);
    }
    if (read) {
      return PortalEndpoints.catalogue(portal, api, caller);
    }
    if (m != HttpMethod.POST) {
      return AdminHandler.methodNotAllowed("GET, POST");
    }
    if (!caller.canWrite()) {
      return PortalEndpoints.operatorsOnly(caller);
    }
    JsonNode b = RequestJson.object(req);
    if (b == null) {
      return PortalEndpoints.invalid("the body must be a JSON object");
    }
    for (String f : List.of("quota_period", "quota_window")) {
      if (b.hasNonNull(f) && !b.get(f).isTextual()) {
        return PortalEndpoints.invalid(f + ": " + b.get(f) + " (expected: a string)");
      }
    }
    JsonNode rpm = b.get("requests_per_minute");
    JsonNode quota = b.get("quota");
    long quotaValue =
        quota == null || quota.isNull()
            ? 0
            : quota.canConvertToLong() && quota.isIntegralNumber() ? quota.asLong() : -1;
    Outcome<Plan> made =
        portal.createPlan(
            caller.name(),
            PortalEndpoints.textOr(b, "name", ""),
            PortalEndpoints.textOr(b, "description", ""),
            rpm != null && rpm.canConvertToInt() ? rpm.asInt() : 0,
            b.path("auto_approve").asBoolean(false),
            quotaValue,
            RequestJson.text(b, "quota_period"),
            RequestJson.text(b, "quota_window"),
            gateway);
    FullHttpResponse r =
        PortalEndpoints.answer(made, HttpResponseStatus.CREATED, (n, p) -> planJson(n, p, portal));
    Plan plan = made.value();
    return plan == null ? r : tagged(r, plan);
  }

  /**
   * {@code DELETE /portal/api/plans/{name}}: refused with {@code 409} and the subscriptions that
   * hold the plan (a {@code subscriptions} member beside the detail naming them) unless {@code
   * ?move-to=<plan>} names where they go.
   */
  private static FullHttpResponse delete(
      FullHttpRequest req,
      String name,
      @Nullable String ifMatch,
      AdminAuth.Caller caller,
      Portal portal,
      Portal.Objects gateway)
      throws IOException {
    QueryStringDecoder q = new QueryStringDecoder(req.uri());
    for (Map.Entry<String, List<String>> e : q.parameters().entrySet()) {
      if (!e.getKey().equals("move-to") || e.getValue().size() != 1) {
        return PortalEndpoints.invalid(
            e.getKey()
                + ": "
                + String.join(", ", e.getValue())
                + " (expected: only move-to, once: the plan that takes the subscriptions)");
      }
    }
    List<String> moveTo = q.parameters().get("move-to");
    Outcome<Portal.DeletedPlan> o =
        portal.deletePlan(
            caller.name(), name, moveTo == null ? null : moveTo.get(0), ifMatch, gateway);
    if (o instanceof Outcome.Refused<Portal.DeletedPlan> r
        && r.refusal().type().equals("portal-plan-in-use")) {
      ObjectNode p = JSON.createObjectNode();
      p.put("type", "https://portico.dev/problems/portal-plan-in-use");
      p.put("title", StatusReasons.reason(409));
      p.put("status", 409);
      p.put("detail", r.refusal().detail());
      ArrayNode subs = p.putArray("subscriptions");
      for (Subscription s : portal.holding(name)) {
        Application app = portal.application(s.application(), null);
        ObjectNode n = subs.addObject();
        n.put("id", s.id());
        n.put("application", s.application());
        if (app != null) {
          n.put("application_name", app.name());
        }
        n.put("api", s.api());
        n.put("state", s.state().text());
      }
      FullHttpResponse resp =
          AdminHandler.json(HttpResponseStatus.CONFLICT, JSON.writeValueAsString(p));
      resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/problem+json");
      return resp;
    }
    return PortalEndpoints.answer(
        o,
        HttpResponseStatus.OK,
        (n, d) -> {
          n.put("name", d.plan().name());
          n.put("deleted", true);
          if (d.movedTo() != null) {
            n.put("moved_to", d.movedTo());
          }
          ArrayNode moved = n.putArray("moved");
          d.moved().forEach(s -> moved.add(s.id()));
        });
  }

  /** The tag of {@code If-Match}, unquoted (a weak one's too), or null without one. */
  private static @Nullable String ifMatch(FullHttpRequest req) {
    String h = req.headers().get(HttpHeaderNames.IF_MATCH);
    if (h == null) {
      return null;
    }
    String t = h.trim();
    if (t.startsWith("W/")) {
      t = t.substring(2);
    }
    return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")
        ? t.substring(1, t.length() - 1)
        : t;
  }

  private static FullHttpResponse tagged(FullHttpResponse r, Plan plan) {
    r.headers().set(HttpHeaderNames.ETAG, "\"" + plan.etag() + "\"");
    return r;
  }

  /**
   * Why a {@code PATCH} body cannot be read as a change, as {@code "<field>: <value> (expected:
   * <rule>)"}: its first field of an unknown name or the wrong type; null when every field is one
   * {@link #edit} reads. The values' rules are {@link Portal#updatePlan}'s.
   */
  private static @Nullable String badField(JsonNode b) {
    for (Iterator<String> names = b.fieldNames(); names.hasNext(); ) {
      String f = names.next();
      if (!EDITABLE.contains(f)) {
        return f
            + ": "
            + b.get(f)
            + " (expected: one of name, description, requests_per_minute, auto_approve, quota,"
            + " quota_period, quota_window, deprecated)";
      }
    }
    JsonNode name = b.get("name");
    if (name != null && !name.isTextual()) {
      return "name: " + name + " (expected: lower-case letters, digits and -, up to 63)";
    }
    JsonNode description = b.get("description");
    if (description != null && !description.isTextual()) {
      return "description: " + description + " (expected: a string)";
    }
    JsonNode rpm = b.get("requests_per_minute");
    if (rpm != null && !(rpm.isIntegralNumber() && rpm.canConvertToInt())) {
      return "requests_per_minute: " + rpm + " (expected: an integer from 1 to 1000000)";
    }
    JsonNode auto = b.get("auto_approve");
    if (auto != null && !auto.isBoolean()) {
      return "auto_approve: " + auto + " (expected: true or false)";
    }
    JsonNode deprecated = b.get("deprecated");
    if (deprecated != null && !deprecated.isBoolean()) {
      return "deprecated: " + deprecated + " (expected: true or false)";
    }
    JsonNode quota = b.get("quota");
    if (quota != null
        && !quota.isNull()
        && !(quota.isIntegralNumber() && quota.canConvertToLong())) {
      return "quota: " + quota + " (expected: an integer from 0 (none), or null for none)";
    }
    for (String f : List.of("quota_period", "quota_window")) {
      if (b.has(f) && !b.get(f).isNull() && !b.get(f).isTextual()) {
        return f + ": " + b.get(f) + " (expected: a string or null)";
      }
    }
    return null;
  }

  /**
   * The change a body that {@link #badField} passed asks for. {@code null} for {@code quota} is no
   * quota, for {@code quota_period} the period of {@code portal.quota.period}, for {@code
   * quota_window} the calendar's.
   */
  private static PlanEdit edit(JsonNode b) {
    JsonNode name = b.get("name");
    JsonNode description = b.get("description");
    JsonNode rpm = b.get("requests_per_minute");
    JsonNode auto = b.get("auto_approve");
    JsonNode quota = b.get("quota");
    JsonNode period = b.get("quota_period");
    JsonNode window = b.get("quota_window");
    return new PlanEdit(
        name == null ? null : name.asText(),
        description == null ? null : description.asText(),
        rpm == null ? null : rpm.asInt(),
        auto == null ? null : auto.asBoolean(),
        quota == null ? null : quota.isNull() ? 0L : quota.asLong(),
        period == null || period.isNull() ? null : period.asText(),
        period != null && period.isNull(),
        window == null || window.isNull() ? null : window.asText(),
        window != null && window.isNull(),
        b.has("deprecated") ? b.get("deprecated").asBoolean() : null);
  }

  static void planJson(ObjectNode n, Plan p, Portal portal) {
    n.put("name", p.name());
    n.put("etag", p.etag());
    n.put("description", p.description());
    n.put("requests_per_minute", p.requestsPerMinute());
    n.put("auto_approve", p.autoApprove());
    n.put("deprecated", p.deprecated());
    PortalConfig.Quota q = portal.config().quota();
    if (p.quota() > 0 && q != null) {
      n.put("quota", p.quota());
      n.put("quota_period", p.period(q.period()));
      n.put("quota_window", p.rolling() ? "rolling" : "calendar");
    }
  }
}
