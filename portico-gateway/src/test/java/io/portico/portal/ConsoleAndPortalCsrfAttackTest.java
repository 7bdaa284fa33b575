package io.portico.portal;

import static io.portico.portal.PortalClient.PASSWORD;
import static io.portico.portal.PortalClient.ok;
import static io.portico.portal.PortalClient.problem;
import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugins.auth.key.KeyHash;
import io.portico.testing.GatewayFixture;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A browser signed in to the console or the portal, driven by another site: every state-changing
 * call needs the session's CSRF token and the listener's own origin; the session cookie is {@code
 * HttpOnly} and {@code SameSite=Strict}; pages cannot be framed; and a read-only token or a
 * developer cannot reach what its role does not allow by dot segments, encoded slashes or a
 * method-override header.
 */
class ConsoleAndPortalCsrfAttackTest {

  private static final String VIEWER = "viewer-token-0123456789";
  private static GatewayFixture gw;
  private static PortalClient client;
  private static PortalClient.Session root;
  private static PortalClient.Session other;

  @BeforeAll
  static void start() throws Exception {
    gw =
        GatewayFixture.start(
            """
            admin:
              address: 127.0.0.1:0
              tokens:
                - { name: watcher, hash: "%s", role: read-only }
            portal:
              sign-up: false
            routes:
              - name: orders
                paths: [ "/hello" ]
                plugins:
                  mock: { body: "hi" }
            """
                .formatted(KeyHash.of(VIEWER)),
            Map.of("PORTICO_ADMIN_PASSWORD", PASSWORD));
    client = new PortalClient(gw::adminUri);
    root = client.signIn("admin");
    client.account(root, "ops", "admin");
    other = client.signIn("ops");
    client.account(root, "dana", "developer");
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  private static String cookie(PortalClient.Session s) {
    return "portico_session=" + s.cookie();
  }

  @Test
  void aWriteWithTheSessionCookieButWithoutItsOwnCsrfTokenIsRefused() throws Exception {
    String body = "{\"note\":\"csrf\"}";
    String path = "/portal/api/invitations";
    int before = ok(client.as(root, "GET", path, null), 200).get("invitations").size();
    problem(client.call("POST", path, body, "Cookie", cookie(root)), 403, "admin-csrf");
    problem(
        client.call("POST", path, body, "Cookie", cookie(root), "X-CSRF-Token", other.csrf()),
        403,
        "admin-csrf");
    problem(
        client.call("POST", path, body, "Cookie", cookie(root), "X-CSRF-Token", ""),
        403,
        "admin-csrf");
    problem(
        client.call("DELETE", "/accounts/dana", null, "Cookie", cookie(root)), 403, "admin-csrf");
    problem(client.call("PUT", "/routes/orders", "{}", "Cookie", cookie(root)), 403, "admin-csrf");
    problem(client.call("POST", "/reload", null, "Cookie", cookie(root)), 403, "admin-csrf");
    problem(client.call("POST", "/auth/sign-out", null, "Cookie", cookie(root)), 403, "admin-csrf");
    assertThat(ok(client.as(root, "GET", path, null), 200).get("invitations").size())
        .isEqualTo(before);
    assertThat(client.as(root, "GET", "/accounts/dana", null).statusCode()).isEqualTo(200);
  }

  @Test
  void aWriteFromAnotherOriginIsRefusedEvenWithTheToken() throws Exception {
    String path = "/portal/api/invitations";
    String body = "{\"note\":\"cross\"}";
    for (String origin :
        new String[] {
          "https://evil.example",
          "null",
          "http://127.0.0.1.evil.example",
          "http://" + gw.adminUri("/").getAuthority() + ".evil.example"
        }) {
      problem(
          client.call(
              "POST",
              path,
              body,
              "Cookie",
              cookie(root),
              "X-CSRF-Token",
              root.csrf(),
              "Origin",
              origin),
          403,
          "admin-cross-origin");
    }
    problem(
        client.call(
            "POST",
            path,
            body,
            "Cookie",
            cookie(root),
            "X-CSRF-Token",
            root.csrf(),
            "Sec-Fetch-Site",
            "cross-site"),
        403,
        "admin-cross-origin");
    // a sign-in from another site (login CSRF) is refused too
    problem(
        client.call(
            "POST",
            "/auth/sign-in",
            "{\"name\":\"admin\",\"password\":\"" + PASSWORD + "\"}",
            "Origin",
            "https://evil.example"),
        403,
        "admin-cross-origin");
  }

  @Test
  void theSessionCookieIsHttpOnlyAndSameSiteStrict() throws Exception {
    HttpResponse<String> r =
        client.call(
            "POST", "/auth/sign-in", "{\"name\":\"ops\",\"password\":\"" + PASSWORD + "\"}");
    String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(setCookie)
        .containsIgnoringCase("HttpOnly")
        .contains("SameSite=Strict")
        .contains("Path=/");
    assertThat(r.body()).doesNotContain(setCookie.substring(0, setCookie.indexOf(';')));
  }

  @Test
  void pagesAndAnswersCannotBeFramedOrSniffed() throws Exception {
    for (String path :
        new String[] {
          "/console/",
          "/console/routes",
          "/console/nope.js",
          "/portal/",
          "/portal/#/catalogue",
          "/portal/nope.js"
        }) {
      HttpResponse<String> r = client.call("GET", path, null);
      assertThat(r.headers().firstValue("X-Frame-Options")).as(path).hasValue("DENY");
      assertThat(r.headers().firstValue("Content-Security-Policy").orElseThrow())
          .as(path)
          .contains("frame-ancestors 'none'")
          .contains("script-src 'self'")
          .doesNotContain("unsafe-inline")
          .doesNotContain("unsafe-eval");
      assertThat(r.headers().firstValue("X-Content-Type-Options")).as(path).hasValue("nosniff");
    }
    HttpResponse<String> api = client.as(root, "GET", "/accounts", null);
    assertThat(api.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(api.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/");
  }

  @Test
  void pathTricksAndMethodOverridesDoNotWidenARole() throws Exception {
    String bearer = "Bearer " + VIEWER;
    for (String path :
        new String[] {
          "/auth/../accounts",
          "/auth/%2e%2e/accounts",
          "/auth%2F..%2Faccounts",
          "/auth/sessions/..%2F..%2Faccounts",
          "/openapi.json/../accounts",
          "/portal/api/../../accounts",
          "/schemas/plugins/../../accounts",
          "//accounts",
          "/accounts/",
          "/ACCOUNTS"
        }) {
      HttpResponse<String> r = client.call("GET", path, null, "Authorization", bearer);
      assertThat(r.statusCode()).as(path).isIn(400, 403, 404, 405);
      assertThat(r.body()).as(path).doesNotContain("\"dana\"");
    }
    PortalClient.Session dev = client.signIn("dana");
    for (String path :
        new String[] {
          "/portal/api/../../routes", "/auth/../routes", "/schemas/plugins/../../routes"
        }) {
      HttpResponse<String> r = client.as(dev, "GET", path, null);
      assertThat(r.statusCode()).as(path).isIn(400, 403, 404, 405);
      assertThat(r.body()).as(path).doesNotContain("\"orders\"");
    }
    for (String override :
        new String[] {"X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"}) {
      HttpResponse<String> r =
          client.call("GET", "/routes/orders", null, "Authorization", bearer, override, "DELETE");
      assertThat(r.statusCode()).isEqualTo(200);
      problem(
          client.call("POST", "/reload", null, "Authorization", bearer, override, "GET"),
          403,
          "admin-forbidden");
    }
    assertThat(gw.get("/hello").body()).isEqualTo("hi");
  }
}
