package io.portico.portal;

import static io.portico.portal.PortalClient.ok;
import static io.portico.portal.PortalClient.problem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.portico.testing.GatewayFixture;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The guards of the admin listener on the writes of the plans page ({@code PATCH
 * /portal/api/plans/{name}}) and of the global plugins page ({@code POST /config/changes} of kind
 * {@code plugins}), over real HTTP against a running gateway: a session write without its CSRF
 * token or with a wrong one, a write from a foreign origin (by {@code Origin} or {@code
 * Sec-Fetch-Site}) and a viewer's write (by session or by account token) are each refused with a
 * problem and change nothing; the same write by an operator from the console's own origin passes.
 */
class PlanAndGlobalPluginWriteGuardsTest {

  private static final String PLAN_CHANGE = "{\"description\":\"changed\"}";
  private static final String PLUGIN_CHANGE =
      "{\"changes\":[{\"op\":\"put\",\"kind\":\"plugins\",\"name\":\"response-headers\","
          + "\"object\":{\"set\":{\"X-Global\":\"everywhere\"}}}]}";

  @RegisterExtension final OrdersPortal env = new OrdersPortal();
  private GatewayFixture gw;
  private PortalClient portal;
  private PortalClient.Session operator;
  private PortalClient.Session viewer;

  @BeforeEach
  void start() throws Exception {
    env.start("sign-up: false", "olga", "operator", "vera", "viewer");
    gw = env.gateway();
    portal = env.portal();
    PortalClient.Session admin = env.admin();
    operator = portal.signIn("olga");
    viewer = portal.signIn("vera");
    ok(portal.as(operator, "PUT", "/portal/api/apis/orders", "{\"title\":\"Orders\"}"), 200);
    ok(
        portal.as(
            operator,
            "POST",
            "/portal/api/plans",
            "{\"name\":\"basic\",\"description\":\"to try\",\"requests_per_minute\":2}"),
        201);
  }

  private String self() {
    return "http://127.0.0.1:" + gw.gateway().adminAddress().getPort();
  }

  /** A write with {@code who}'s session cookie and the given headers only. */
  private HttpResponse<String> withCookie(
      PortalClient.Session who, String method, String path, String body, String... headers)
      throws Exception {
    String[] all = new String[headers.length + 2];
    all[0] = "Cookie";
    all[1] = "portico_session=" + who.cookie();
    System.arraycopy(headers, 0, all, 2, headers.length);
    return portal.call(method, path, body, all);
  }

  /** Every refused form of one write: each is a 403 problem of its own type. */
  private void refusedEveryWay(String method, String path, String body) throws Exception {
    problem(withCookie(operator, method, path, body), 403, "admin-csrf");
    problem(withCookie(operator, method, path, body, "X-CSRF-Token", "guessed"), 403, "admin-csrf");
    problem(
        withCookie(viewer, method, path, body, "X-CSRF-Token", operator.csrf()), 403, "admin-csrf");
    problem(
        withCookie(
            operator,
            method,
            path,
            body,
            "X-CSRF-Token",
            operator.csrf(),
            "Origin",
            "http://evil.example"),
        403,
        "admin-cross-origin");
    problem(
        withCookie(
            operator,
            method,
            path,
            body,
            "X-CSRF-Token",
            operator.csrf(),
            "Sec-Fetch-Site",
            "cross-site"),
        403,
        "admin-cross-origin");
    problem(
        withCookie(operator, method, path, body, "X-CSRF-Token", operator.csrf(), "Origin", "null"),
        403,
        "admin-cross-origin");
    problem(
        withCookie(viewer, method, path, body, "X-CSRF-Token", viewer.csrf(), "Origin", self()),
        403,
        "admin-forbidden");
    JsonNode token = ok(portal.as(viewer, "POST", "/auth/tokens", "{\"name\":\"ci\"}"), 201);
    problem(
        portal.call(method, path, body, "Authorization", "Bearer " + token.get("token").asText()),
        403,
        "admin-forbidden");
  }

  @Test
  void aPlanChangeIsRefusedWithoutCsrfFromAnotherOriginAndForAViewer() throws Exception {
    refusedEveryWay("PATCH", "/portal/api/plans/basic", PLAN_CHANGE);
    assertThat(
            ok(portal.as(viewer, "GET", "/portal/api/plans/basic", null), 200)
                .get("description")
                .asText())
        .isEqualTo("to try");

    JsonNode changed =
        ok(
            withCookie(
                operator,
                "PATCH",
                "/portal/api/plans/basic",
                PLAN_CHANGE,
                "X-CSRF-Token",
                operator.csrf(),
                "Origin",
                self(),
                "Sec-Fetch-Site",
                "same-origin"),
            200);
    assertThat(changed.get("description").asText()).isEqualTo("changed");
  }

  @Test
  void aGlobalPluginChangeIsRefusedWithoutCsrfFromAnotherOriginAndForAViewer() throws Exception {
    refusedEveryWay("POST", "/config/changes", PLUGIN_CHANGE);
    assertThat(ok(portal.as(viewer, "GET", "/plugins", null), 200).get("total").asInt()).isZero();
    assertThat(gw.get("/hello").headers().firstValue("X-Global")).isEmpty();

    ok(
        withCookie(
            operator,
            "POST",
            "/config/changes",
            PLUGIN_CHANGE,
            "X-CSRF-Token",
            operator.csrf(),
            "Origin",
            self(),
            "Sec-Fetch-Site",
            "same-origin"),
        200);
    assertThat(ok(portal.as(viewer, "GET", "/plugins", null), 200).get("total").asInt())
        .isEqualTo(1);
    assertThat(gw.get("/hello").headers().firstValue("X-Global")).hasValue("everywhere");
  }
}
