package io.portico.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.portico.accounts.Accounts;
import io.portico.accounts.Outcome;
import io.portico.accounts.Role;
import io.portico.portal.Portal;
import io.portico.portal.PortalData.Api;
import io.portico.portal.PortalData.Application;
import io.portico.portal.PortalData.Key;
import io.portico.portal.PortalData.Plan;
import io.portico.portal.PortalData.State;
import io.portico.portal.PortalData.Subscription;
import io.portico.spi.config.ConfigNode;
import io.portico.store.LayeredConfig;
import io.portico.store.ObjectKey;
import io.portico.store.ObjectWrite;
import io.portico.store.WriteResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The developer portal's API under {@code /portal/api/} ({@link Portal}). Every caller is known (an
 * account's session or token, or a config token), except for {@code POST /portal/api/sign-up},
 * served only with {@code portal.sign-up: true}. The roles:
 *
 * <ul>
 *   <li>developer: the catalogue and plans; its own applications, subscriptions, keys, usage;
 *   <li>viewer: reads everything, writes nothing;
 *   <li>operator and admin: everything, publishing APIs, plans and decisions on subscriptions.
 * </ul>
 *
 * Every method may write the store or the config: the handler calls them off the event loop.
 */
final class PortalEndpoints {

  static final String PREFIX = "/portal/api/";
  private static final ObjectMapper JSON = new ObjectMapper();

  private PortalEndpoints() {}

  static boolean handles(String path) {
    return path.startsWith(PREFIX);
  }

  static boolean anonymous(String path) {
    return path.equals(PREFIX + "sign-up") || path.equals(PortalInvitations.ACCEPT);
  }

  /**
   * {@code POST /portal/api/sign-up}: a new developer account, when sign-up is on; {@code POST
   * /portal/api/invitations/accept}: one from an invitation ({@link PortalInvitations}).
   */
  static FullHttpResponse signUp(FullHttpRequest req, AdminApi api, String address)
      throws IOException {
    if (new QueryStringDecoder(req.uri()).path().equals(PortalInvitations.ACCEPT)) {
      return PortalInvitations.accept(req, api);
    }
    if (req.method() != HttpMethod.POST) {
      return AdminHandler.methodNotAllowed("POST");
    }
    Portal portal = api.portal();
    Accounts accounts = api.accounts();
    if (portal == null || accounts == null) {
      return unavailable();
    }
    if (!portal.config().signUp()) {
      return AdminHandler.problem(
          HttpResponseStatus.FORBIDDEN,
          "portal-sign-up-off",
          "Sign-up is off (portal.sign-up); an operator invites developers with an"
              + " invitation link.");
    }
    JsonNode body = RequestJson.object(req);
    String name = body == null ? null : RequestJson.text(body, "name");
    String password = body == null ? null : RequestJson.text(body, "password");
    if (name == null || password == null) {
      return invalid("name and password are required strings");
    }
    Outcome<Boolean> o = accounts.signUp(name, password, address);
    if (o instanceof Outcome.Refused<Boolean> r) {
      return RequestJson.refused(r);
    }
    // the same answer whether the name was free (an account made) or taken (nothing changed)
    ObjectNode n = JSON.createObjectNode();
    n.put("name", name);
    n.put("role", Role.DEVELOPER.text());
    n.put(
        "detail",
        "Unless the name was taken, the account is made: sign in with this name and password.");
    return AdminHandler.json(HttpResponseStatus.ACCEPTED, JSON.writeValueAsString(n));
  }

  static FullHttpResponse handle(
      FullHttpRequest req, String path, AdminAuth.Caller caller, AdminApi api) throws IOException {
    Portal portal = api.portal();
    if (portal == null) {
      return unavailable();
    }
    List<String> seg = List.of(path.substring(PREFIX.length()).split("/", -1));
    HttpMethod m = req.method();
    boolean read = m == HttpMethod.GET || m == HttpMethod.HEAD;
    if (!read && caller.role() == Role.VIEWER) {
      return AdminHandler.problem(
          HttpResponseStatus.FORBIDDEN, "admin-forbidden", caller.readOnly());
    }
    boolean operator = caller.canWrite();
    Portal.Objects gateway = objects(api);
    String first = seg.get(0);
    switch (first) {
      case "apis" -> {
        if (seg.size() == 1) {
          return read ? catalogue(portal, api, caller) : AdminHandler.methodNotAllowed("GET");
        }
        if (seg.size() == 2 && m == HttpMethod.PUT) {
          if (!operator) {
            return operatorsOnly(caller);
          }
          JsonNode b = RequestJson.object(req);
          if (b == null) {
            return invalid("the body must be a JSON object");
          }
          PortalOpenApi.Checked document = PortalOpenApi.check(b);
          if (document != null && !document.externalRefs().isEmpty()) {
            return PortalOpenApi.externalRefsRefused(document.externalRefs());
          }
          if (document != null && document.json() == null) {
            return AdminHandler.problem(
                HttpResponseStatus.BAD_REQUEST,
                "portal-invalid",
                String.join("; ", document.problems()) + ".");
          }
          return answer(
              portal.publish(
                  caller.name(),
                  seg.get(1),
                  String.valueOf(textOr(b, "title", "")),
                  String.valueOf(textOr(b, "description", "")),
                  RequestJson.text(b, "openapi"),
                  document == null || document.json() == null
                      ? null
                      : document.json().getBytes(StandardCharsets.UTF_8),
                  gateway),
              HttpResponseStatus.OK,
              PortalEndpoints::apiJson);
        }
        boolean seesUnpublished = caller.role() != Role.DEVELOPER;
        if (seg.size() == 3 && seg.get(2).equals("openapi")) {
          return read
              ? PortalOpenApi.serve(portal, seg.get(1), api, seesUnpublished)
              : AdminHandler.methodNotAllowed("GET");
        }
        if (seg.size() == 3 && (seg.get(2).equals("unpublish") || seg.get(2).equals("publish"))) {
          if (m != HttpMethod.POST) {
            return AdminHandler.methodNotAllowed("POST");
          }
          if (!operator) {
            return operatorsOnly(caller);
          }
          return answer(
              portal.setPublished(caller.name(), seg.get(1), seg.get(2).equals("publish"), gateway),
              HttpResponseStatus.OK,
              PortalEndpoints::apiJson);
        }
        return seg.size() == 2 ? AdminHandler.methodNotAllowed("PUT") : notFound(path);
      }
      case "plans" -> {
        return PortalPlans.handle(req, path, seg, caller, portal, api, gateway);
      }
      case "invitations" -> {
        return PortalInvitations.handle(req, path, seg, caller, portal);
      }
      case "applications" -> {
        return applications(req, path, seg, caller, portal, api, gateway);
      }
      case "subscriptions" -> {
        if (seg.size() == 1) {
          if (!read) {
            return AdminHandler.methodNotAllowed("GET");
          }
          if (caller.role() == Role.DEVELOPER) {
            return operatorsOnly(caller);
          }
          String state = param(new QueryStringDecoder(req.uri()), "state");
          ArrayNode list = JSON.createArrayNode();
          for (Subscription s : portal.document().subs()) {
            if (state.isEmpty() || s.state().text().equals(state)) {
              subscriptionJson(list.addObject(), s, portal);
            }
          }
          ObjectNode out = JSON.createObjectNode();
          out.set("subscriptions", list);
          return AdminHandler.json(HttpResponseStatus.OK, JSON.writeValueAsString(out));
        }
        if (seg.size() == 3) {
          if (m != HttpMethod.POST) {
            return AdminHandler.methodNotAllowed("POST");
          }
          if (!operator) {
            return operatorsOnly(caller);
          }
          State to =
              switch (seg.get(2)) {
                case "approve" -> State.APPROVED;
                case "reject" -> State.REJECTED;
                case "revoke" -> State.REVOKED;
                default -> null;
              };
          if (to == null) {
            return notFound(path);
          }
          return answer(
              portal.decide(caller.name(), seg.get(1), to, gateway),
              HttpResponseStatus.OK,
              (n, s) -> subscriptionJson(n, s, portal));
        }
        return notFound(path);
      }
      default -> {
        return notFound(path);
      }
    }
  }

  private static FullHttpResponse applications(
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
    // developers see their own applications; the other roles see all, and write their own
    String owner = caller.role() == Role.DEVELOPER || !read ? caller.name() : null;
    if (seg.size() == 1) {
      if (read) {
        ArrayNode list = JSON.createArrayNode();
        for (Application a : portal.document().applications()) {
          if (owner == null || a.owner().equals(owner)) {
            applicationJson(list.addObject(), a, portal);
          }
        }
        ObjectNode out = JSON.createObjectNode();
        out.set("applications", list);
        return AdminHandler.json(HttpResponseStatus.OK, JSON.writeValueAsString(out));
      }
      if (m != HttpMethod.POST) {
        return AdminHandler.methodNotAllowed("GET, POST");
      }
      JsonNode b = RequestJson.object(req);
      if (b == null) {
        return invalid("the body must be a JSON object");
      }
      return answer(
          portal.createApplication(
              caller.name(),
              String.valueOf(textOr(b, "name", "")),
              String.valueOf(textOr(b, "description", ""))),
          HttpResponseStatus.CREATED,
          (n, a) -> applicationJson(n, a, portal));
    }
    String allowed =
        seg.size() == 2
            ? "GET"
            : seg.size() == 3 && seg.get(2).equals("usage")
                ? "GET"
                : seg.size() == 3
                        && (seg.get(2).equals("subscriptions") || seg.get(2).equals("keys"))
                    ? "POST"
                    : seg.size() == 4 && seg.get(2).equals("keys") ? "DELETE" : null;
    if (allowed == null) {
      return notFound(path);
    }
    if (!(m.name().equals(allowed) || (read && allowed.equals("GET")))) {
      return AdminHandler.methodNotAllowed(allowed);
    }
    String id = seg.get(1);
    Application app = portal.application(id, owner);
    if (app == null) {
      return AdminHandler.problem(
          HttpResponseStatus.NOT_FOUND, "portal-not-found", "No application " + id + " of yours.");
    }
    if (seg.size() == 2) {
      if (!read) {
        return AdminHandler.methodNotAllowed("GET");
      }
      ObjectNode n = JSON.createObjectNode();
      applicationJson(n, app, portal);
      return AdminHandler.json(HttpResponseStatus.OK, JSON.writeValueAsString(n));
    }
    switch (seg.get(2)) {
      case "subscriptions" -> {
        if (seg.size() != 3 || m != HttpMethod.POST) {
          return seg.size() != 3 ? notFound(path) : AdminHandler.methodNotAllowed("POST");
        }
        JsonNode b = RequestJson.object(req);
        if (b == null) {
          return invalid("the body must be a JSON object");
        }
        return answer(
            portal.subscribe(
                caller.name(),
                id,
                String.valueOf(textOr(b, "api", "")),
                String.valueOf(textOr(b, "plan", "")),
                gateway),
            HttpResponseStatus.CREATED,
            (n, s) -> subscriptionJson(n, s, portal));
      }
      case "keys" -> {
        if (seg.size() == 3) {
          if (m != HttpMethod.POST) {
            return AdminHandler.methodNotAllowed("POST");
          }
          return answer(
              portal.issueKey(caller.name(), id, gateway),
              HttpResponseStatus.CREATED,
              (n, k) -> {
                keyJson(n, k.stored());
                n.put("key", k.key());
              });
        }
        if (seg.size() == 4) {
          if (m != HttpMethod.DELETE) {
            return AdminHandler.methodNotAllowed("DELETE");
          }
          return answer(
              portal.revokeKey(caller.name(), id, seg.get(3), gateway),
              HttpResponseStatus.OK,
              (n, a) -> applicationJson(n, a, portal));
        }
        return notFound(path);
      }
      case "usage" -> {
        if (seg.size() != 3 || !read) {
          return seg.size() != 3 ? notFound(path) : AdminHandler.methodNotAllowed("GET");
        }
        return PortalUsage.usage(app, portal, api);
      }
      default -> {
        return notFound(path);
      }
    }
  }

  private static Portal.Objects objects(AdminApi api) {
    return new Portal.Objects() {
      @Override
      public Map<ObjectKey, ConfigNode> current() {
        return LayeredConfig.objects(api.snapshot().config().source());
      }

      @Override
      public WriteResult write(ObjectWrite write) {
        return api.write(write);
      }
    };
  }

  // ---- JSON

  /** The catalogue: developers see the published APIs only, the other roles every one. */
  static FullHttpResponse catalogue(Portal portal, AdminApi api, AdminAuth.Caller caller)
      throws IOException {
    ObjectNode out = JSON.createObjectNode();
    String gatewayUrl = api.gatewayUrl();
    if (gatewayUrl != null) {
      out.put("gateway_url", gatewayUrl);
    }
    ArrayNode apis = out.putArray("apis");
    for (Api a : portal.document().apis()) {
      if (!a.unpublished() || caller.role() != Role.DEVELOPER) {
        apiJson(apis.addObject(), a);
      }
    }
    ArrayNode plans = out.putArray("plans");
    for (Plan p : portal.document().plans()) {
      PortalPlans.planJson(plans.addObject(), p, portal);
    }
    return AdminHandler.json(HttpResponseStatus.OK, JSON.writeValueAsString(out));
  }

  private static void apiJson(ObjectNode n, Api a) {
    n.put("route", a.route());
    n.put("title", a.title());
    n.put("description", a.description());
    if (a.openapi() != null) {
      n.put("openapi", a.openapi());
    }
    n.put("has_document", a.hasDocument());
    n.put("published", !a.unpublished());
  }

  private static void applicationJson(ObjectNode n, Application a, Portal portal) {
    n.put("id", a.id());
    n.put("name", a.name());
    n.put("description", a.description());
    n.put("owner", a.owner());
    n.put("created", a.created());
    n.put("consumer", a.consumer());
    ArrayNode keys = n.putArray("keys");
    for (Key k : a.keys()) {
      keyJson(keys.addObject(), k);
    }
    ArrayNode subs = n.putArray("subscriptions");
    for (Subscription s : portal.document().subs()) {
      if (s.application().equals(a.id())) {
        subscriptionJson(subs.addObject(), s, portal);
      }
    }
  }

  private static void keyJson(ObjectNode n, Key k) {
    n.put("id", k.id());
    n.put("created", k.created());
  }

  private static void subscriptionJson(ObjectNode n, Subscription s, Portal portal) {
    n.put("id", s.id());
    n.put("application", s.application());
    Application app = portal.application(s.application(), null);
    if (app != null) {
      n.put("application_name", app.name());
      n.put("owner", app.owner());
    }
    n.put("api", s.api());
    n.put("plan", s.plan());
    n.put("state", s.state().text());
    Api published = portal.api(s.api(), false);
    if (published == null) {
      // the API is out of the catalogue: an approved subscription's keys are refused on it
      n.put("suspended", true);
    }
    n.put("created", s.created());
    if (s.decidedBy() != null) {
      n.put("decided_by", s.decidedBy());
    }
  }

  // ---- helpers

  static <T> FullHttpResponse answer(
      Outcome<T> o, HttpResponseStatus ok, java.util.function.BiConsumer<ObjectNode, T> write)
      throws IOException {
    if (o instanceof Outcome.Refused<T> r) {
      return RequestJson.refused(r);
    }
    ObjectNode n = JSON.createObjectNode();
    T value = o.value();
    if (value != null) {
      write.accept(n, value);
    }
    return AdminHandler.json(ok, JSON.writeValueAsString(n));
  }

  static String textOr(JsonNode body, String field, String fallback) {
    String t = RequestJson.text(body, field);
    return t == null ? fallback : t;
  }

  private static String param(QueryStringDecoder q, String name) {
    List<String> v = q.parameters().getOrDefault(name, new ArrayList<>());
    return v.isEmpty() ? "" : v.get(0);
  }

  static FullHttpResponse invalid(String detail) {
    return AdminHandler.problem(HttpResponseStatus.BAD_REQUEST, "portal-invalid", detail + ".");
  }

  static FullHttpResponse operatorsOnly(AdminAuth.Caller caller) {
    return AdminHandler.problem(
        HttpResponseStatus.FORBIDDEN,
        "admin-forbidden",
        "The account "
            + caller.name()
            + " has the role "
            + caller.role().text()
            + "; only operators and admins publish APIs, make plans and decide on"
            + " subscriptions.");
  }

  private static FullHttpResponse unavailable() {
    return AdminHandler.problem(
        HttpResponseStatus.SERVICE_UNAVAILABLE,
        "portal-unavailable",
        "The portal needs the console's accounts (admin.store, admin.console) and portal on.");
  }

  static FullHttpResponse notFound(String path) {
    return AdminHandler.problem(
        HttpResponseStatus.NOT_FOUND, "admin-not-found", "No admin endpoint " + path + ".");
  }
}
