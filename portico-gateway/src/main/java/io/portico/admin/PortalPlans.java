package io.portico.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.config.PortalConfig;
import io.portico.portal.PlanEdit;
import io.portico.portal.Portal;
import io.portico.portal.PortalData.Plan;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code /portal/api/plans}: the catalogue with its plans ({@code GET}), a new plan ({@code POST}),
 * one plan ({@code GET /portal/api/plans/{name}}) and a change to one ({@code PATCH}, the fields it
 * names). Writes are for operators and admins; a viewer's is {@code 403} before anything is read.
 * Called off the event loop, since {@link Portal} writes the store and the config.
 */
final class PortalPlans {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> EDITABLE =
      Set.of(
          "description",
          "requests_per_minute",
          "auto_approve",
          "quota",
          "quota_period",
          "quota_window");

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
        return AdminHandler.json(HttpResponseStatus.OK, JSON.writeValueAsString(n));
      }
      if (m != HttpMethod.PATCH) {
        return AdminHandler.methodNotAllowed("GET, PATCH");
      }
      if (!caller.canWrite()) {
        return PortalEndpoints.operatorsOnly(caller);
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
      return PortalEndpoints.answer(
          portal.updatePlan(caller.name(), name, edit(b), gateway),
          HttpResponseStatus.OK,
          (n, p) -> planJson(n, p, portal));
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
    return PortalEndpoints.answer(
        portal.createPlan(
            caller.name(),
            PortalEndpoints.textOr(b, "name", ""),
            PortalEndpoints.textOr(b, "description", ""),
            rpm != null && rpm.canConvertToInt() ? rpm.asInt() : 0,
            b.path("auto_approve").asBoolean(false),
            quotaValue,
            RequestJson.text(b, "quota_period"),
            RequestJson.text(b, "quota_window"),
            gateway),
        HttpResponseStatus.CREATED,
        (n, p) -> planJson(n, p, portal));
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
            + (f.equals("name")
                ? " (expected: no name; a plan keeps its name, which its subscriptions carry)"
                : " (expected: one of description, requests_per_minute, auto_approve, quota,"
                    + " quota_period, quota_window)");
      }
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
    JsonNode description = b.get("description");
    JsonNode rpm = b.get("requests_per_minute");
    JsonNode auto = b.get("auto_approve");
    JsonNode quota = b.get("quota");
    JsonNode period = b.get("quota_period");
    JsonNode window = b.get("quota_window");
    return new PlanEdit(
        description == null ? null : description.asText(),
        rpm == null ? null : rpm.asInt(),
        auto == null ? null : auto.asBoolean(),
        quota == null ? null : quota.isNull() ? 0L : quota.asLong(),
        period == null || period.isNull() ? null : period.asText(),
        period != null && period.isNull(),
        window == null || window.isNull() ? null : window.asText(),
        window != null && window.isNull());
  }

  static void planJson(ObjectNode n, Plan p, Portal portal) {
    n.put("name", p.name());
    n.put("description", p.description());
    n.put("requests_per_minute", p.requestsPerMinute());
    n.put("auto_approve", p.autoApprove());
    PortalConfig.Quota q = portal.config().quota();
    if (p.quota() > 0 && q != null) {
      n.put("quota", p.quota());
      n.put("quota_period", p.period(q.period()));
      n.put("quota_window", p.rolling() ? "rolling" : "calendar");
    }
  }
}
