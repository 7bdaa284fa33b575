package io.portico.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.plugins.auth.key.KeyHash;
import io.portico.testing.GatewayFixture;
import io.portico.testing.TestOrigin;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The console's accounts through the admin API, over real sockets against a running gateway:
 * first-run setup, sign-in and sessions, CSRF and Origin checks, throttling, roles enforced on the
 * server, account tokens, and values kept as data.
 */
class ConsoleAccountsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PASSWORD = "correct horse battery";
  private static final String XSS = "<img src=x onerror=alert(1)>";

  private TestOrigin origin;
  private GatewayFixture gw;

  private void start(Map<String, String> env, String extraAdmin) throws Exception {
    origin = TestOrigin.start();
    gw =
        GatewayFixture.start(
            """
            admin:
              address: 127.0.0.1:0
            %s
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: api
                paths: [ "/api" ]
                service: backend
            """
                .formatted(extraAdmin, origin.authority()),
            env);
  }

  private void startWithAdmin() throws Exception {
    start(Map.of("PORTICO_ADMIN_PASSWORD", PASSWORD), "");
  }

  @AfterEach
  void stop() throws Exception {
    if (gw != null) {
      gw.close();
    }
    if (origin != null) {
      origin.close();
    }
  }

  /** A browser-like client: a session cookie and its CSRF token. */
  private record Browser(String cookie, String csrf) {}

  private HttpResponse<String> call(String method, String path, String body, String... headers)
      throws Exception {
    return gw.adminCall(method, path, body, headers);
  }

  private HttpResponse<String> as(
      Browser browser, String method, String path, String body, String... headers)
      throws Exception {
    List<String> all = new ArrayList<>(List.of("Cookie", "portico_session=" + browser.cookie()));
    if (!method.equals("GET")) {
      all.add("X-CSRF-Token");
      all.add(browser.csrf());
    }
    all.addAll(List.of(headers));
    return call(method, path, body, all.toArray(String[]::new));
  }

  private static String sessionCookie(HttpResponse<String> r) {
    String header = r.headers().firstValue("Set-Cookie").orElseThrow();
    Matcher m = Pattern.compile("portico_session=([^;]*)").matcher(header);
    assertThat(m.find()).as(header).isTrue();
    return m.group(1);
  }

  private Browser signIn(String name, String password, String... headers) throws Exception {
    HttpResponse<String> r =
        call(
            "POST",
            "/auth/sign-in",
            JSON.createObjectNode().put("name", name).put("password", password).toString(),
            headers);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new Browser(sessionCookie(r), JSON.readTree(r.body()).get("csrf_token").asText());
  }

  private void createAccount(Browser admin, String name, String role) throws Exception {
    HttpResponse<String> r =
        as(
            admin,
            "POST",
            "/accounts",
            JSON.createObjectNode()
                .put("name", name)
                .put("role", role)
                .put("password", PASSWORD)
                .toString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
  }

  @Test
  void theSetupLinkCreatesTheFirstAdminOnceAndThenTheApiNeedsCredentials() throws Exception {
    start(Map.of(), "");
    // Before any account: the loopback listener is open, as it was before accounts existed.
    assertThat(call("GET", "/status", null).statusCode()).isEqualTo(200);
    String link = gw.gateway().setupLink();
    assertThat(link).startsWith(gw.gateway().consoleUrl() + "#setup=");
    String token = link.substring(link.indexOf("#setup=") + 7);
    String setup =
        JSON.createObjectNode()
            .put("token", token)
            .put("name", "root")
            .put("password", PASSWORD)
            .toString();

    HttpResponse<String> wrong = call("POST", "/auth/setup", setup.replace(token, token + "x"));
    assertThat(wrong.statusCode()).isEqualTo(403);

    HttpResponse<String> first = call("POST", "/auth/setup", setup);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
    assertThat(first.headers().firstValue("Set-Cookie").orElseThrow())
        .containsIgnoringCase("HttpOnly")
        .contains("SameSite=Strict")
        .doesNotContain("Secure");
    assertThat(JSON.readTree(first.body()).get("role").asText()).isEqualTo("admin");

    HttpResponse<String> again = call("POST", "/auth/setup", setup);
    assertThat(again.statusCode()).isEqualTo(403);
    assertThat(again.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(gw.gateway().setupLink()).isNull();

    // From the first account on, the API needs a token or a session.
    assertThat(call("GET", "/status", null).statusCode()).isEqualTo(401);
    Browser root =
        new Browser(sessionCookie(first), JSON.readTree(first.body()).get("csrf_token").asText());
    assertThat(as(root, "GET", "/status", null).statusCode()).isEqualTo(200);
    JsonNode me = JSON.readTree(as(root, "GET", "/auth/me", null).body());
    assertThat(me.get("name").asText()).isEqualTo("root");
    assertThat(me.get("kind").asText()).isEqualTo("session");
  }

  @Test
  void theAdminPasswordFromTheEnvironmentCreatesTheAdminAccountAndNoSetupLink() throws Exception {
    startWithAdmin();
    assertThat(gw.gateway().setupLink()).isNull();
    assertThat(gw.gateway().consoleUrl()).endsWith("/console/");
    Browser admin = signIn("admin", PASSWORD);
    assertThat(as(admin, "GET", "/accounts", null).body()).contains("\"admin\"");
  }

  @Test
  void signInAlwaysIssuesANewSessionAndEndsTheOneTheBrowserHad() throws Exception {
    startWithAdmin();
    Browser planted = signIn("admin", PASSWORD, "Cookie", "portico_session=chosen-by-attacker");
    assertThat(planted.cookie()).isNotEqualTo("chosen-by-attacker").hasSizeGreaterThan(30);

    Browser second = signIn("admin", PASSWORD, "Cookie", "portico_session=" + planted.cookie());
    assertThat(second.cookie()).isNotEqualTo(planted.cookie());
    assertThat(as(planted, "GET", "/auth/me", null).statusCode()).isEqualTo(401);
    assertThat(as(second, "GET", "/auth/me", null).statusCode()).isEqualTo(200);

    HttpResponse<String> out = as(second, "POST", "/auth/sign-out", null);
    assertThat(out.statusCode()).isEqualTo(204);
    assertThat(out.headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");
    assertThat(as(second, "GET", "/auth/me", null).statusCode()).isEqualTo(401);
  }

  @Test
  void aWriteWithASessionButWithoutItsCsrfTokenIsRefused() throws Exception {
    startWithAdmin();
    Browser admin = signIn("admin", PASSWORD);
    String body =
        JSON.createObjectNode()
            .put("name", "dana")
            .put("role", "viewer")
            .put("password", PASSWORD)
            .toString();
    HttpResponse<String> none =
        call("POST", "/accounts", body, "Cookie", "portico_session=" + admin.cookie());
    assertThat(none.statusCode()).isEqualTo(403);
    assertThat(none.body()).contains("admin-csrf");
    HttpResponse<String> forged =
        call(
            "POST",
            "/accounts",
            body,
            "Cookie",
            "portico_session=" + admin.cookie(),
            "X-CSRF-Token",
            "guessed");
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(as(admin, "GET", "/accounts/dana", null).statusCode()).isEqualTo(404);
    assertThat(as(admin, "POST", "/accounts", body).statusCode()).isEqualTo(201);
  }

  @Test
  void writesFromAnotherOriginAreRefusedWhateverTheCredentials() throws Exception {
    startWithAdmin();
    Browser admin = signIn("admin", PASSWORD);
    String service = "{\"name\":\"other\",\"targets\":[\"" + origin.authority() + "\"]}";
    HttpResponse<String> foreign =
        as(admin, "POST", "/services", service, "Origin", "http://evil.example");
    assertThat(foreign.statusCode()).isEqualTo(403);
    assertThat(foreign.body()).contains("admin-cross-origin");
    HttpResponse<String> crossSite =
        as(admin, "POST", "/services", service, "Sec-Fetch-Site", "cross-site");
    assertThat(crossSite.statusCode()).isEqualTo(403);
    HttpResponse<String> signInFromElsewhere =
        call(
            "POST",
            "/auth/sign-in",
            "{\"name\":\"admin\",\"password\":\"" + PASSWORD + "\"}",
            "Origin",
            "http://evil.example");
    assertThat(signInFromElsewhere.statusCode()).isEqualTo(403);

    String self = "http://127.0.0.1:" + gw.gateway().adminAddress().getPort();
    HttpResponse<String> same =
        as(admin, "POST", "/services", service, "Origin", self, "Sec-Fetch-Site", "same-origin");
    assertThat(same.statusCode()).as(same.body()).isEqualTo(200);
  }

  @Test
  void failedSignInsAreThrottledPerAccountAndDoNotTellWhetherTheAccountExists() throws Exception {
    startWithAdmin();
    HttpResponse<String> unknown =
        call("POST", "/auth/sign-in", "{\"name\":\"nobody\",\"password\":\"wrong-password\"}");
    HttpResponse<String> wrong =
        call("POST", "/auth/sign-in", "{\"name\":\"admin\",\"password\":\"wrong-password\"}");
    assertThat(unknown.statusCode()).isEqualTo(401);
    assertThat(wrong.statusCode()).isEqualTo(401);
    // Alike but for each answer's own request id.
    assertThat(withoutRequestId(unknown.body())).isEqualTo(withoutRequestId(wrong.body()));
    for (int i = 0; i < 4; i++) {
      call("POST", "/auth/sign-in", "{\"name\":\"admin\",\"password\":\"wrong-password\"}");
    }
    HttpResponse<String> locked =
        call("POST", "/auth/sign-in", "{\"name\":\"admin\",\"password\":\"" + PASSWORD + "\"}");
    assertThat(locked.statusCode()).isEqualTo(429);
    assertThat(locked.headers().firstValue("Retry-After")).isPresent();
    assertThat(locked.headers().firstValue("Set-Cookie")).isEmpty();
    // Unknown names are throttled the same way, so the lock does not tell either.
    for (int i = 0; i < 4; i++) {
      call("POST", "/auth/sign-in", "{\"name\":\"nobody\",\"password\":\"wrong-password\"}");
    }
    assertThat(
            call("POST", "/auth/sign-in", "{\"name\":\"nobody\",\"password\":\"x\"}").statusCode())
        .isEqualTo(429);
    String audit =
        java.nio.file.Files.readString(
            gw.configFile().getParent().resolve("admin-store/audit.jsonl"));
    assertThat(audit).contains("sign-in").contains("rejected");
  }

  @Test
  void failedSignInsAreThrottledPerAddressAcrossAccounts() throws Exception {
    startWithAdmin();
    for (int i = 0; i < 20; i++) {
      assertThat(
              call(
                      "POST",
                      "/auth/sign-in",
                      "{\"name\":\"user" + i + "\",\"password\":\"wrong-password\"}")
                  .statusCode())
          .isEqualTo(401);
    }
    HttpResponse<String> locked =
        call("POST", "/auth/sign-in", "{\"name\":\"admin\",\"password\":\"" + PASSWORD + "\"}");
    assertThat(locked.statusCode()).isEqualTo(429);
  }

  @Test
  void rolesAreEnforcedOnTheServerForEveryCall() throws Exception {
    startWithAdmin();
    Browser admin = signIn("admin", PASSWORD);
    createAccount(admin, "vera", "viewer");
    createAccount(admin, "otto", "operator");
    createAccount(admin, "devi", "developer");
    String service = "{\"name\":\"orders\",\"targets\":[\"" + origin.authority() + "\"]}";

    Browser viewer = signIn("vera", PASSWORD);
    assertThat(as(viewer, "GET", "/routes", null).statusCode()).isEqualTo(200);
    assertThat(as(viewer, "GET", "/metrics", null).statusCode()).isEqualTo(200);
    HttpResponse<String> write = as(viewer, "POST", "/services", service);
    assertThat(write.statusCode()).isEqualTo(403);
    assertThat(write.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(as(viewer, "POST", "/reload", null).statusCode()).isEqualTo(403);
    assertThat(as(viewer, "GET", "/accounts", null).statusCode()).isEqualTo(403);
    assertThat(as(viewer, "GET", "/services/orders", null).statusCode()).isEqualTo(404);

    Browser operator = signIn("otto", PASSWORD);
    assertThat(as(operator, "POST", "/services", service).statusCode()).isEqualTo(200);
    assertThat(as(operator, "GET", "/accounts", null).statusCode()).isEqualTo(403);
    assertThat(
            as(
                    operator,
                    "POST",
                    "/accounts",
                    "{\"name\":\"x\",\"role\":\"admin\",\"password\":\"0123456789ab\"}")
                .statusCode())
        .isEqualTo(403);

    Browser developer = signIn("devi", PASSWORD);
    assertThat(as(developer, "GET", "/status", null).statusCode()).isEqualTo(403);
    assertThat(as(developer, "GET", "/auth/me", null).statusCode()).isEqualTo(200);

    // A demotion takes effect on the next call of a live session.
    assertThat(as(admin, "PATCH", "/accounts/otto", "{\"role\":\"viewer\"}").statusCode())
        .isEqualTo(200);
    assertThat(as(operator, "DELETE", "/services/orders", null).statusCode()).isEqualTo(403);
    // The last admin stays an admin.
    assertThat(as(admin, "PATCH", "/accounts/admin", "{\"role\":\"viewer\"}").statusCode())
        .isEqualTo(409);
    assertThat(as(admin, "DELETE", "/accounts/admin", null).statusCode()).isEqualTo(409);
  }

  @Test
  void accountTokensActWithTheAccountsRoleAndStopWhenRevoked() throws Exception {
    startWithAdmin();
    Browser admin = signIn("admin", PASSWORD);
    createAccount(admin, "vera", "viewer");
    Browser viewer = signIn("vera", PASSWORD);
    HttpResponse<String> created = as(viewer, "POST", "/auth/tokens", "{\"name\":\"ci\"}");
    assertThat(created.statusCode()).isEqualTo(201);
    JsonNode t = JSON.readTree(created.body());
    String token = t.get("token").asText();
    assertThat(token).startsWith("ptk_");
    assertThat(t.get("role").asText()).isEqualTo("viewer");
    // Listed without the secret.
    String list = as(viewer, "GET", "/auth/tokens", null).body();
    assertThat(list).contains(t.get("id").asText()).doesNotContain(token);

    String bearer = "Bearer " + token;
    assertThat(call("GET", "/config", null, "Authorization", bearer).statusCode()).isEqualTo(200);
    assertThat(call("POST", "/reload", null, "Authorization", bearer).statusCode()).isEqualTo(403);
    JsonNode me = JSON.readTree(call("GET", "/auth/me", null, "Authorization", bearer).body());
    assertThat(me.get("kind").asText()).isEqualTo("account-token");

    // Promote the account: its token follows.
    as(admin, "PATCH", "/accounts/vera", "{\"role\":\"operator\"}");
    assertThat(call("POST", "/reload", null, "Authorization", bearer).statusCode()).isEqualTo(200);

    assertThat(as(viewer, "DELETE", "/auth/tokens/" + t.get("id").asText(), null).statusCode())
        .isEqualTo(204);
    assertThat(call("GET", "/config", null, "Authorization", bearer).statusCode()).isEqualTo(401);
  }

  @Test
  void aPasswordChangeNeedsTheCurrentOneAndEndsTheOtherSessions() throws Exception {
    startWithAdmin();
    Browser one = signIn("admin", PASSWORD);
    Browser two = signIn("admin", PASSWORD);
    JsonNode sessions =
        JSON.readTree(as(one, "GET", "/auth/sessions", null).body()).get("sessions");
    assertThat(sessions).hasSize(2);
    assertThat(sessions.toString()).doesNotContain(one.cookie()).doesNotContain(two.cookie());

    assertThat(
            as(
                    one,
                    "POST",
                    "/auth/password",
                    "{\"current\":\"nope-nope-nope\",\"new\":\"another long one\"}")
                .statusCode())
        .isEqualTo(403);
    assertThat(
            as(
                    one,
                    "POST",
                    "/auth/password",
                    "{\"current\":\"" + PASSWORD + "\",\"new\":\"short\"}")
                .statusCode())
        .isEqualTo(400);
    assertThat(
            as(
                    one,
                    "POST",
                    "/auth/password",
                    "{\"current\":\"" + PASSWORD + "\",\"new\":\"another long one\"}")
                .statusCode())
        .isEqualTo(204);
    assertThat(as(two, "GET", "/auth/me", null).statusCode()).isEqualTo(401);
    assertThat(as(one, "GET", "/auth/me", null).statusCode()).isEqualTo(200);
    signIn("admin", "another long one");

    // Revoking a session by its id.
    Browser three = signIn("admin", "another long one");
    String id = JSON.readTree(as(three, "GET", "/auth/me", null).body()).get("session").asText();
    assertThat(as(one, "DELETE", "/auth/sessions/" + id, null).statusCode()).isEqualTo(204);
    assertThat(as(three, "GET", "/auth/me", null).statusCode()).isEqualTo(401);
  }

  @Test
  void anAccountNamedLikeMarkupIsStoredAndReturnedAsData() throws Exception {
    startWithAdmin();
    Browser admin = signIn("admin", PASSWORD);
    createAccount(admin, XSS, "viewer");
    HttpResponse<String> list = as(admin, "GET", "/accounts", null);
    assertThat(list.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(list.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    List<String> names = new ArrayList<>();
    JSON.readTree(list.body()).get("accounts").forEach(a -> names.add(a.get("name").asText()));
    assertThat(names).contains(XSS);
    Browser odd = signIn(XSS, PASSWORD);
    assertThat(JSON.readTree(as(odd, "GET", "/auth/me", null).body()).get("name").asText())
        .isEqualTo(XSS);
    // Account changes are in the audit log, with who made them.
    String audit = as(admin, "GET", "/audit?limit=20", null).body();
    assertThat(audit).contains("create account").contains("\"actor\":\"admin\"");
  }

  @Test
  void theStoreKeepsAccountsWithBcryptHashesOnly() throws Exception {
    startWithAdmin();
    Browser admin = signIn("admin", PASSWORD);
    createAccount(admin, "vera", "viewer");
    java.nio.file.Path dir = gw.configFile().getParent();
    assertThat(dir.resolve("admin-store/accounts.json")).exists();
    String stored = java.nio.file.Files.readString(dir.resolve("admin-store/accounts.json"));
    assertThat(stored).contains("$2a$").doesNotContain(PASSWORD);
  }

  @Test
  void theConsoleIsServedWithItsSecurityHeadersAndNoInlineScript() throws Exception {
    startWithAdmin();
    HttpResponse<String> page = call("GET", "/console/", null);
    assertThat(page.statusCode()).isEqualTo(200);
    String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertThat(csp)
        .contains("script-src 'self'")
        .contains("frame-ancestors 'none'")
        .doesNotContain("unsafe-inline")
        .doesNotContain("unsafe-eval");
    assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    Matcher scripts = Pattern.compile("<script([^>]*)>").matcher(page.body());
    int count = 0;
    while (scripts.find()) {
      assertThat(scripts.group(1)).contains("src=");
      count++;
    }
    assertThat(count).isPositive();
    assertThat(page.body()).doesNotContain(" on").doesNotContain("style=");
    HttpResponse<String> js = call("GET", "/console/app.js", null);
    assertThat(js.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/javascript");
    assertThat(js.body()).doesNotContain("innerHTML").doesNotContain("eval(");
    assertThat(call("GET", "/console/missing.js", null).statusCode()).isEqualTo(404);
    assertThat(call("GET", "/console/accounts", null).body()).isEqualTo(page.body());
  }

  @Test
  void configTokensKeepWorkingBesideAccounts() throws Exception {
    start(
        Map.of("PORTICO_ADMIN_PASSWORD", PASSWORD),
        "  tokens:\n    - { name: ci, hash: \""
            + KeyHash.of("ci-token")
            + "\", role: read-write }\n"
            + "    - { name: dash, hash: \""
            + KeyHash.of("dash-token")
            + "\", role: read-only }");
    assertThat(call("GET", "/status", null, "Authorization", "Bearer ci-token").statusCode())
        .isEqualTo(200);
    assertThat(call("POST", "/reload", null, "Authorization", "Bearer ci-token").statusCode())
        .isEqualTo(200);
    assertThat(call("POST", "/reload", null, "Authorization", "Bearer dash-token").statusCode())
        .isEqualTo(403);
    assertThat(call("GET", "/accounts", null, "Authorization", "Bearer ci-token").statusCode())
        .isEqualTo(200);
    assertThat(call("GET", "/accounts", null, "Authorization", "Bearer dash-token").statusCode())
        .isEqualTo(403);
  }

  @Test
  void withoutAStoreThereAreNoAccountsAndTheAdminApiWorksAsBefore() throws Exception {
    start(Map.of("PORTICO_ADMIN_PASSWORD", PASSWORD), "  store: off");
    assertThat(gw.gateway().consoleUrl()).isNull();
    assertThat(call("GET", "/status", null).statusCode()).isEqualTo(200);
    assertThat(call("GET", "/console/", null).statusCode()).isEqualTo(404);
    HttpResponse<String> signIn =
        call("POST", "/auth/sign-in", "{\"name\":\"admin\",\"password\":\"" + PASSWORD + "\"}");
    assertThat(signIn.statusCode()).isEqualTo(503);
    assertThat(JSON.readTree(call("GET", "/auth/me", null).body()).get("kind").asText())
        .isEqualTo("anonymous");
  }

  @Test
  void withTheConsoleOffNothingOfItIsServed() throws Exception {
    start(Map.of(), "  console: off");
    assertThat(gw.gateway().consoleUrl()).isNull();
    assertThat(gw.gateway().setupLink()).isNull();
    assertThat(call("GET", "/console/", null).statusCode()).isEqualTo(404);
    assertThat(call("GET", "/accounts", null).statusCode()).isEqualTo(503);
  }

  private static String withoutRequestId(String problem) {
    return problem.replaceAll("\"request_id\":\"[0-9a-f]+\"", "\"request_id\":\"\"");
  }
}
