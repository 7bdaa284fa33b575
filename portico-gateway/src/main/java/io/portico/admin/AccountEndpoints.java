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
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import io.portico.accounts.Account;
import io.portico.accounts.Accounts;
import io.portico.accounts.ApiToken;
import io.portico.accounts.Outcome;
import io.portico.accounts.Role;
import io.portico.accounts.Session;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * The console's account endpoints on the admin listener:
 *
 * <ul>
 *   <li>{@code POST /auth/sign-in}, {@code POST /auth/setup}: before any caller is known; each
 *       answers a new session in the cookie {@value AdminAuth#COOKIE} ({@code HttpOnly}, {@code
 *       SameSite=Strict}, {@code Secure} when configured) and the session's CSRF token in the body;
 *   <li>{@code /auth/...}: the caller's own sign-out, identity, password, sessions and API tokens;
 *   <li>{@code /accounts...}: accounts, for the admin role ({@link AdminAccess} checks that).
 * </ul>
 *
 * Every method here may hash a password or write the store: the handler calls them off the event
 * loop.
 */
final class AccountEndpoints {

  private static final ObjectMapper JSON = new ObjectMapper();

  private AccountEndpoints() {}

  static boolean handles(String path) {
    return path.equals("/auth")
        || path.startsWith("/auth/")
        || path.equals("/accounts")
        || path.startsWith("/accounts/");
  }

  /** Whether {@code path} is answered before the caller is known. */
  static boolean anonymous(String path) {
    return path.equals("/auth/sign-in") || path.equals("/auth/setup");
  }

  /** {@code POST /auth/sign-in} and {@code POST /auth/setup}. */
  static FullHttpResponse signIn(
      FullHttpRequest req,
      String path,
      @Nullable Accounts accounts,
      @Nullable Session current,
      String address)
      throws IOException {
    if (req.method() != HttpMethod.POST) {
      return AdminHandler.methodNotAllowed("POST");
    }
    if (accounts == null) {
      return unavailable();
    }
    FullHttpResponse plainHttp = PlainHttpSignIn.refusal(req, address);
    if (plainHttp != null) {
      return plainHttp;
    }
    JsonNode body = RequestJson.object(req);
    if (body == null) {
      return invalidBody();
    }
    String userAgent = String.valueOf(req.headers().get(HttpHeaderNames.USER_AGENT, ""));
    Outcome<Session> outcome;
    if (path.equals("/auth/setup")) {
      String token = RequestJson.text(body, "token");
      String name = RequestJson.text(body, "name");
      String password = RequestJson.text(body, "password");
      if (token == null || name == null || password == null) {
        return AdminHandler.problem(
            HttpResponseStatus.BAD_REQUEST,
            "account-invalid",
            "token, name and password: (expected: strings)");
      }
      outcome = accounts.setup(token, name, password, address, userAgent);
    } else {
      String name = RequestJson.text(body, "name");
      String password = RequestJson.text(body, "password");
      if (name == null || password == null) {
        return AdminHandler.problem(
            HttpResponseStatus.BAD_REQUEST,
            "account-invalid",
            "name and password: (expected: strings)");
      }
      outcome = accounts.signIn(name, password, address, userAgent);
    }
    if (outcome instanceof Outcome.Refused<Session> r) {
      return RequestJson.refused(r);
    }
    Session s = ((Outcome.Done<Session>) outcome).value();
    if (current != null) {
      accounts.signOut(current);
    }
    Account a = accounts.account(s.account());
    ObjectNode o = JSON.createObjectNode();
    o.put("name", s.account());
    o.put("role", a == null ? "" : a.role().text());
    o.put("kind", AdminAuth.Kind.SESSION.text());
    o.put("csrf_token", s.csrf());
    FullHttpResponse resp =
        AdminHandler.json(
            path.equals("/auth/setup") ? HttpResponseStatus.CREATED : HttpResponseStatus.OK,
            o.toString());
    resp.headers().set(HttpHeaderNames.SET_COOKIE, cookie(s.secret(), accounts));
    return resp;
  }

  /** The other endpoints, for a known caller allowed by {@link AdminAccess}. */
  static FullHttpResponse handle(
      FullHttpRequest req, String path, AdminAuth.Caller caller, @Nullable Accounts accounts)
      throws IOException {
    HttpMethod method = req.method();
    switch (path) {
      case "/auth/me" -> {
        if (!isGet(method)) {
          return AdminHandler.methodNotAllowed("GET");
        }
        return me(caller, accounts);
      }
      case "/auth/sign-out" -> {
        if (method != HttpMethod.POST) {
          return AdminHandler.methodNotAllowed("POST");
        }
        if (accounts != null && caller.session() != null) {
          accounts.signOut(caller.session());
        }
        FullHttpResponse r = AdminHandler.empty(HttpResponseStatus.NO_CONTENT);
        r.headers()
            .set(
                HttpHeaderNames.SET_COOKIE,
                accounts == null
                    ? clearCookie(false)
                    : clearCookie(accounts.config().secureCookie()));
        return r;
      }
      default -> {
        // the paths below
      }
    }
    if (accounts == null) {
      if (!path.equals("/auth/password")
          && !path.startsWith("/auth/sessions")
          && !path.startsWith("/auth/tokens")
          && !path.startsWith("/accounts")) {
        return notFound(path);
      }
      return unavailable();
    }
    if (path.equals("/auth/password")) {
      if (method != HttpMethod.POST) {
        return AdminHandler.methodNotAllowed("POST");
      }
      if (caller.account() == null) {
        return accountRequired();
      }
      JsonNode body = RequestJson.object(req);
      if (body == null) {
        return invalidBody();
      }
      String current = RequestJson.text(body, "current");
      String next = RequestJson.text(body, "new");
      if (current == null || next == null) {
        return AdminHandler.problem(
            HttpResponseStatus.BAD_REQUEST,
            "account-invalid",
            "current and new: (expected: strings)");
      }
      Outcome<Account> o =
          accounts.changePassword(caller.account(), current, next, caller.session());
      return o instanceof Outcome.Refused<Account> r
          ? RequestJson.refused(r)
          : AdminHandler.empty(HttpResponseStatus.NO_CONTENT);
    }
    if (path.equals("/auth/sessions")) {
      if (!isGet(method)) {
        return AdminHandler.methodNotAllowed("GET");
      }
      ObjectNode o = JSON.createObjectNode();
      ArrayNode list = o.putArray("sessions");
      if (caller.account() != null) {
        for (Session s : accounts.sessions(caller.account())) {
          ObjectNode n = list.addObject();
          n.put("id", s.id());
          n.put("created", s.created().toString());
          n.put("last_seen", s.lastSeen().toString());
          n.put("address", s.address());
          n.put("user_agent", s.userAgent());
          n.put("current", s == caller.session());
        }
      }
      return AdminHandler.json(HttpResponseStatus.OK, o.toString());
    }
    if (path.startsWith("/auth/sessions/")) {
      if (method != HttpMethod.DELETE) {
        return AdminHandler.methodNotAllowed("DELETE");
      }
      String id = path.substring("/auth/sessions/".length());
      if (caller.account() == null
          || !accounts.revokeSession(caller.account(), id, caller.name())) {
        return AdminHandler.problem(
            HttpResponseStatus.NOT_FOUND, "session-not-found", "No session " + id + ".");
      }
      return AdminHandler.empty(HttpResponseStatus.NO_CONTENT);
    }
    if (path.equals("/auth/tokens")) {
      if (isGet(method)) {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode list = o.putArray("tokens");
        if (caller.account() != null) {
          for (ApiToken t : accounts.tokens(caller.account())) {
            tokenJson(list.addObject(), t);
          }
        }
        return AdminHandler.json(HttpResponseStatus.OK, o.toString());
      }
      if (method != HttpMethod.POST) {
        return AdminHandler.methodNotAllowed("GET, POST");
      }
      if (caller.account() == null) {
        return accountRequired();
      }
      JsonNode body = RequestJson.object(req);
      if (body == null) {
        return invalidBody();
      }
      String name = RequestJson.text(body, "name");
      if (name == null) {
        return AdminHandler.problem(
            HttpResponseStatus.BAD_REQUEST, "token-invalid", "name: (expected: a string)");
      }
      Outcome<Accounts.NewToken> o = accounts.createToken(caller.account(), name);
      if (o instanceof Outcome.Refused<Accounts.NewToken> r) {
        return RequestJson.refused(r);
      }
      Accounts.NewToken t = ((Outcome.Done<Accounts.NewToken>) o).value();
      ObjectNode n = JSON.createObjectNode();
      tokenJson(n, t.stored());
      n.put("token", t.token());
      n.put("role", caller.role().text());
      return AdminHandler.json(HttpResponseStatus.CREATED, n.toString());
    }
    if (path.startsWith("/auth/tokens/")) {
      if (method != HttpMethod.DELETE) {
        return AdminHandler.methodNotAllowed("DELETE");
      }
      String id = path.substring("/auth/tokens/".length());
      if (caller.account() == null || !accounts.revokeToken(caller.account(), id)) {
        return AdminHandler.problem(
            HttpResponseStatus.NOT_FOUND, "token-not-found", "No token " + id + ".");
      }
      return AdminHandler.empty(HttpResponseStatus.NO_CONTENT);
    }
    if (path.equals("/accounts")) {
      if (isGet(method)) {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode list = o.putArray("accounts");
        for (Account a : accounts.list()) {
          accountJson(list.addObject(), a);
        }
        return AdminHandler.json(HttpResponseStatus.OK, o.toString());
      }
      if (method != HttpMethod.POST) {
        return AdminHandler.methodNotAllowed("GET, POST");
      }
      JsonNode body = RequestJson.object(req);
      if (body == null) {
        return invalidBody();
      }
      String name = RequestJson.text(body, "name");
      String password = RequestJson.text(body, "password");
      if (name == null || password == null) {
        return AdminHandler.problem(
            HttpResponseStatus.BAD_REQUEST,
            "account-invalid",
            "name, role and password: (expected: strings)");
      }
      Outcome<Account> o =
          accounts.create(caller.name(), name, Role.of(RequestJson.text(body, "role")), password);
      return account(o, HttpResponseStatus.CREATED);
    }
    if (path.startsWith("/accounts/")) {
      String name = path.substring("/accounts/".length());
      if (isGet(method)) {
        Account a = accounts.account(name);
        if (a == null) {
          return AdminHandler.problem(
              HttpResponseStatus.NOT_FOUND, "account-not-found", "No account " + name + ".");
        }
        ObjectNode n = JSON.createObjectNode();
        accountJson(n, a);
        return AdminHandler.json(HttpResponseStatus.OK, n.toString());
      }
      if (method == HttpMethod.PATCH) {
        JsonNode body = RequestJson.object(req);
        if (body == null) {
          return invalidBody();
        }
        String roleText = RequestJson.text(body, "role");
        Role role = Role.of(roleText);
        if (roleText != null && role == null) {
          return AdminHandler.problem(
              HttpResponseStatus.BAD_REQUEST,
              "account-invalid",
              "role: " + roleText + " (expected: admin, operator, viewer or developer)");
        }
        return account(
            accounts.update(caller.name(), name, role, RequestJson.text(body, "password")),
            HttpResponseStatus.OK);
      }
      if (method == HttpMethod.DELETE) {
        Outcome<Account> o = accounts.delete(caller.name(), name);
        return o instanceof Outcome.Refused<Account> r
            ? RequestJson.refused(r)
            : AdminHandler.empty(HttpResponseStatus.NO_CONTENT);
      }
      return AdminHandler.methodNotAllowed("GET, PATCH, DELETE");
    }
    return notFound(path);
  }

  private static FullHttpResponse me(AdminAuth.Caller caller, @Nullable Accounts accounts) {
    ObjectNode o = JSON.createObjectNode();
    o.put("name", caller.name());
    o.put("role", caller.role().text());
    o.put("kind", caller.kind().text());
    if (caller.session() != null) {
      o.put("csrf_token", caller.session().csrf());
      o.put("session", caller.session().id());
    }
    o.put("accounts", accounts != null);
    o.put("setup_pending", accounts != null && accounts.setupPending());
    return AdminHandler.json(HttpResponseStatus.OK, o.toString());
  }

  private static FullHttpResponse account(Outcome<Account> o, HttpResponseStatus ok) {
    if (o instanceof Outcome.Refused<Account> r) {
      return RequestJson.refused(r);
    }
    ObjectNode n = JSON.createObjectNode();
    accountJson(n, ((Outcome.Done<Account>) o).value());
    return AdminHandler.json(ok, n.toString());
  }

  private static void accountJson(ObjectNode n, Account a) {
    n.put("name", a.name());
    n.put("role", a.role().text());
    n.put("created", a.created().toString());
    n.put("password_changed", a.passwordChanged().toString());
    n.put("tokens", a.tokens().size());
  }

  private static void tokenJson(ObjectNode n, ApiToken t) {
    n.put("id", t.id());
    n.put("name", t.name());
    n.put("created", t.created().toString());
  }

  private static String cookie(String secret, Accounts accounts) {
    DefaultCookie c = new DefaultCookie(AdminAuth.COOKIE, secret);
    c.setHttpOnly(true);
    c.setPath("/");
    c.setSameSite(io.netty.handler.codec.http.cookie.CookieHeaderNames.SameSite.Strict);
    c.setSecure(accounts.config().secureCookie());
    return ServerCookieEncoder.STRICT.encode(c);
  }

  private static String clearCookie(boolean secure) {
    DefaultCookie c = new DefaultCookie(AdminAuth.COOKIE, "");
    c.setHttpOnly(true);
    c.setPath("/");
    c.setMaxAge(0);
    c.setSameSite(io.netty.handler.codec.http.cookie.CookieHeaderNames.SameSite.Strict);
    c.setSecure(secure);
    return ServerCookieEncoder.STRICT.encode(c);
  }

  private static boolean isGet(HttpMethod m) {
    return m == HttpMethod.GET || m == HttpMethod.HEAD;
  }

  private static FullHttpResponse invalidBody() {
    return AdminHandler.problem(
        HttpResponseStatus.BAD_REQUEST, "admin-bad-request", "The body must be a JSON object.");
  }

  private static FullHttpResponse accountRequired() {
    return AdminHandler.problem(
        HttpResponseStatus.CONFLICT,
        "account-required",
        "Only accounts have passwords and API tokens; sign in with an account.");
  }

  private static FullHttpResponse unavailable() {
    return AdminHandler.problem(
        HttpResponseStatus.SERVICE_UNAVAILABLE,
        "accounts-unavailable",
        "Accounts need the admin store (admin.store) and the console (admin.console) on.");
  }

  private static FullHttpResponse notFound(String path) {
    return AdminHandler.problem(
        HttpResponseStatus.NOT_FOUND, "admin-not-found", "No admin endpoint " + path + ".");
  }
}
