package io.portico.portal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.testing.GatewayFixture;
import io.portico.testing.TestOrigin;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The developer portal through its API against a running gateway and a real origin: sign-up, an
 * application, a subscription that needs approval, an operator's approval, a key that works on the
 * gateway at once under the plan's rate, and the roles that may not write.
 */
class PortalApiTest {

  private static final ObjectMapper JSON = PortalClient.JSON;
  private static final String PASSWORD = PortalClient.PASSWORD;

  private PortalClient portal;
  private TestOrigin origin;
  private GatewayFixture gw;

  private void start(boolean signUp) throws Exception {
    origin = TestOrigin.start();
    gw =
        GatewayFixture.start(
            """
            admin:
              address: 127.0.0.1:0
            portal:
              sign-up: %s
            metrics:
              per-consumer: true
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: orders
                paths: [ "/hello" ]
                service: backend
            """
                .formatted(signUp, origin.authority()),
            Map.of("PORTICO_ADMIN_PASSWORD", PASSWORD));
    portal = new PortalClient(gw::adminUri);
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

  private void account(PortalClient.Session admin, String name, String role) throws Exception {
    PortalClient.ok(
        portal.as(
            admin,
            "POST",
            "/accounts",
            JSON.createObjectNode()
                .put("name", name)
                .put("role", role)
                .put("password", PASSWORD)
                .toString()),
        201);
  }

  private HttpResponse<String> order(String key) throws Exception {
    return gw.send(HttpRequest.newBuilder(gw.uri("/hello")).header("apikey", key).GET());
  }

  @Test
  void signUpSubscribeApproveAndCallUntilThePlanSays429() throws Exception {
    start(true);
    PortalClient.Session admin = portal.signIn("admin");
    account(admin, "olga", "operator");
    account(admin, "vera", "viewer");
    PortalClient.Session operator = portal.signIn("olga");

    PortalClient.ok(
        portal.as(
            operator,
            "PUT",
            "/portal/api/apis/orders",
            "{\"title\":\"Orders\",\"description\":\"Place and track orders\","
                + "\"openapi\":\"/orders/openapi.json\"}"),
        200);
    PortalClient.ok(
        portal.as(
            operator,
            "POST",
            "/portal/api/plans",
            "{\"name\":\"starter\",\"description\":\"for trying\","
                + "\"requests_per_minute\":3,\"auto_approve\":false}"),
        201);
    // a published route takes keys at once: without one, 401
    assertThat(order("none").statusCode()).isEqualTo(401);

    PortalClient.ok(
        portal.call(
            "POST", "/portal/api/sign-up", "{\"name\":\"dev\",\"password\":\"" + PASSWORD + "\"}"),
        202);
    PortalClient.Session dev = portal.signIn("dev");
    JsonNode catalogue = PortalClient.ok(portal.as(dev, "GET", "/portal/api/apis", null), 200);
    assertThat(catalogue.at("/apis/0/title").asText()).isEqualTo("Orders");
    assertThat(catalogue.at("/plans/0/requests_per_minute").asInt()).isEqualTo(3);

    String app =
        PortalClient.ok(
                portal.as(
                    dev,
                    "POST",
                    "/portal/api/applications",
                    "{\"name\":\"shop\",\"description\":\"the web shop\"}"),
                201)
            .get("id")
            .asText();
    JsonNode sub = portal.subscribe(dev, app, "orders", "starter");
    assertThat(sub.get("state").asText()).isEqualTo("pending");
    String subId = sub.get("id").asText();

    // no key before approval; a developer cannot approve, a viewer cannot write
    assertThat(
            portal.as(dev, "POST", "/portal/api/applications/" + app + "/keys", null).statusCode())
        .isEqualTo(409);
    assertThat(
            portal
                .as(dev, "POST", "/portal/api/subscriptions/" + subId + "/approve", null)
                .statusCode())
        .isEqualTo(403);
    assertThat(portal.as(dev, "GET", "/portal/api/subscriptions", null).statusCode())
        .isEqualTo(403);
    PortalClient.Session viewer = portal.signIn("vera");
    assertThat(
            portal
                .as(viewer, "POST", "/portal/api/subscriptions/" + subId + "/approve", null)
                .statusCode())
        .isEqualTo(403);
    assertThat(
            portal.as(viewer, "POST", "/portal/api/applications", "{\"name\":\"x\"}").statusCode())
        .isEqualTo(403);
    assertThat(
            portal.as(viewer, "PUT", "/portal/api/apis/orders", "{\"title\":\"y\"}").statusCode())
        .isEqualTo(403);
    // the viewer reads the queue
    JsonNode pending =
        PortalClient.ok(
            portal.as(viewer, "GET", "/portal/api/subscriptions?state=pending", null), 200);
    assertThat(pending.at("/subscriptions/0/id").asText()).isEqualTo(subId);
    // the viewer sees every application; the operator owns none of them
    assertThat(
            PortalClient.ok(portal.as(viewer, "GET", "/portal/api/applications", null), 200)
                .get("applications"))
        .hasSize(1);
    assertThat(
            portal
                .as(operator, "POST", "/portal/api/applications/" + app + "/keys", null)
                .statusCode())
        .isEqualTo(404);

    JsonNode approved =
        PortalClient.ok(
            portal.as(operator, "POST", "/portal/api/subscriptions/" + subId + "/approve", null),
            200);
    assertThat(approved.get("state").asText()).isEqualTo("approved");

    JsonNode issued =
        PortalClient.ok(
            portal.as(dev, "POST", "/portal/api/applications/" + app + "/keys", null), 201);
    String key = issued.get("key").asText();
    assertThat(key).startsWith("pk_");
    // the key is shown once: the application lists its id only, and the consumer keeps the hash
    String detail = portal.as(dev, "GET", "/portal/api/applications/" + app, null).body();
    assertThat(detail).doesNotContain(key);
    assertThat(portal.as(admin, "GET", "/consumers/app-" + app, null).body())
        .doesNotContain(key)
        .contains("sha256:");

    int passed = 0;
    int status = 0;
    List<Integer> seen = new ArrayList<>();
    for (int i = 0; i < 10 && status != 429; i++) {
      status = order(key).statusCode();
      seen.add(status);
      if (status == 200) {
        passed++;
      }
    }
    assertThat(passed).as("%s", seen).isEqualTo(3);
    assertThat(status).isEqualTo(429);
    assertThat(order("pk_wrong").statusCode()).isEqualTo(401);

    JsonNode usage =
        PortalClient.ok(
            portal.as(dev, "GET", "/portal/api/applications/" + app + "/usage", null), 200);
    assertThat(usage.get("available").asBoolean()).isTrue();
    assertThat(usage.get("requests").asLong()).isGreaterThanOrEqualTo(4);
    assertThat(usage.get("client_errors").asLong()).isGreaterThanOrEqualTo(1);

    // revoking the subscription takes the key off the route at once
    PortalClient.ok(
        portal.as(operator, "POST", "/portal/api/subscriptions/" + subId + "/revoke", null), 200);
    assertThat(order(key).statusCode()).isEqualTo(403);
  }

  @Test
  void signUpIsOffUnlessConfiguredAndDevelopersStayOutOfTheAdminApi() throws Exception {
    start(false);
    HttpResponse<String> r =
        portal.call(
            "POST", "/portal/api/sign-up", "{\"name\":\"dev\",\"password\":\"" + PASSWORD + "\"}");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    PortalClient.Session admin = portal.signIn("admin");
    account(admin, "invited", "developer");
    PortalClient.Session dev = portal.signIn("invited");
    assertThat(portal.as(dev, "GET", "/portal/api/apis", null).statusCode()).isEqualTo(200);
    assertThat(portal.as(dev, "GET", "/routes", null).statusCode()).isEqualTo(403);
    assertThat(portal.as(dev, "POST", "/portal/api/plans", "{\"name\":\"p\"}").statusCode())
        .isEqualTo(403);

    HttpResponse<String> page = portal.call("GET", "/portal/", null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("script-src 'self'")
        .contains("frame-ancestors 'none'");
    assertThat(page.body()).contains("/portal/portal.js").doesNotContain("<script>");
  }
}
