package io.portico.portal;

import static io.portico.portal.PortalClient.PASSWORD;
import static io.portico.portal.PortalClient.ok;
import static io.portico.portal.PortalClient.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.portico.testing.GatewayFixture;
import io.portico.testing.TestOrigin;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The portal's quota tiers, invitations and own listener, against a running gateway, a real origin
 * and the real Redis at 127.0.0.1:6379 that counts the quotas.
 */
class PortalTiersTest {

  private TestOrigin origin;
  private GatewayFixture gw;
  private PortalClient admin;

  private void start(String portal, Map<String, String> env) throws Exception {
    origin = TestOrigin.start();
    gw =
        GatewayFixture.start(
            """
            admin:
              address: 127.0.0.1:0
            portal:
            %s
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
                .formatted(portal.indent(2).stripTrailing(), origin.authority()),
            env);
    admin = new PortalClient(gw::adminUri);
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

  private HttpResponse<String> order(String key) throws Exception {
    return gw.send(HttpRequest.newBuilder(gw.uri("/hello")).header("apikey", key).GET());
  }

  @Test
  void invitedDeveloperUnderAQuotaPlanGets429OnceTheDaysQuotaIsUsedAndSeesItsUsage()
      throws Exception {
    start(
        """
        quota:
          redis: redis://127.0.0.1:6379
          period: day
          on-failure: fail-closed
        """,
        Map.of("PORTICO_ADMIN_PASSWORD", PASSWORD));
    PortalClient.Session root = admin.signIn("admin");
    ok(admin.as(root, "PUT", "/portal/api/apis/orders", "{\"title\":\"Orders\"}"), 200);
    JsonNode plan =
        ok(
            admin.as(
                root,
                "POST",
                "/portal/api/plans",
                "{\"name\":\"trial\",\"requests_per_minute\":100,\"quota\":3,"
                    + "\"auto_approve\":true}"),
            201);
    assertThat(plan.get("quota").asLong()).isEqualTo(3);
    assertThat(plan.get("quota_period").asText()).isEqualTo("day");

    // an invitation: a link that works once
    JsonNode invitation =
        ok(admin.as(root, "POST", "/portal/api/invitations", "{\"note\":\"for Dana\"}"), 201);
    String token = invitation.get("token").asText();
    assertThat(invitation.get("path").asText()).isEqualTo("/portal/#invite=" + token);
    assertThat(ok(admin.as(root, "GET", "/portal/api/invitations", null), 200).toString())
        .contains("for Dana")
        .doesNotContain(token);
    String accept =
        "{\"token\":\"" + token + "\",\"name\":\"dana\",\"password\":\"" + PASSWORD + "\"}";
    ok(admin.call("POST", "/portal/api/invitations/accept", accept), 201);
    problem(
        admin.call("POST", "/portal/api/invitations/accept", accept.replace("dana", "dana2")),
        410,
        "portal-invitation-invalid");
    assertThat(ok(admin.as(root, "GET", "/portal/api/invitations", null), 200).get("invitations"))
        .isEmpty();

    PortalClient.Session dev = admin.signIn("dana");
    String app = admin.application(dev, "shop");
    JsonNode sub = admin.subscribe(dev, app, "orders", "trial");
    assertThat(sub.get("state").asText()).isEqualTo("approved");
    String key = admin.key(dev, app);

    // the quota's Redis connection is made on first use: wait until the usage reads the counter
    String usagePath = "/portal/api/applications/" + app + "/usage";
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(
                        ok(admin.as(dev, "GET", usagePath, null), 200)
                            .at("/quotas/0/used")
                            .isNumber())
                    .isTrue());
    List<Integer> seen = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      seen.add(order(key).statusCode());
    }
    assertThat(seen).as("%s", seen).containsExactly(200, 200, 200, 429, 429, 429);

    JsonNode usage =
        ok(admin.as(dev, "GET", "/portal/api/applications/" + app + "/usage", null), 200);
    assertThat(usage.at("/quotas/0/api").asText()).isEqualTo("orders");
    assertThat(usage.at("/quotas/0/limit").asLong()).isEqualTo(3);
    assertThat(usage.at("/quotas/0/used").asLong()).isGreaterThanOrEqualTo(3);
    assertThat(usage.at("/quotas/0/remaining").asLong()).isZero();
    assertThat(usage.get("requests").asLong()).isEqualTo(6);
    assertThat(usage.get("client_errors").asLong()).isEqualTo(3);
    assertThat(usage.at("/latency_ms/p50").asDouble()).isGreaterThan(0);
    assertThat(usage.at("/latency_ms/p99").asDouble())
        .isGreaterThanOrEqualTo(usage.at("/latency_ms/p50").asDouble());
  }

  @Test
  void aQuotaPlansRedisTimeoutIsPortalQuotaTimeoutAndItsFailClosed503SaysSo() throws Exception {
    // a Redis that accepts connections and never answers: every call outlives the timeout
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      List<Socket> held = new CopyOnWriteArrayList<>();
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    held.add(silent.accept());
                  }
                } catch (IOException closed) {
                  // the test is over
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      start(
          """
          quota:
            redis: redis://127.0.0.1:%d
            on-failure: fail-closed
            timeout: 250ms
          """
              .formatted(silent.getLocalPort()),
          Map.of("PORTICO_ADMIN_PASSWORD", PASSWORD));
      PortalClient.Session root = admin.signIn("admin");
      ok(admin.as(root, "PUT", "/portal/api/apis/orders", "{\"title\":\"Orders\"}"), 200);
      ok(
          admin.as(
              root,
              "POST",
              "/portal/api/plans",
              "{\"name\":\"trial\",\"requests_per_minute\":100,\"quota\":3,"
                  + "\"auto_approve\":true}"),
          201);
      JsonNode route = ok(admin.as(root, "GET", "/routes/orders", null), 200);
      assertThat(route.at("/plugins/quota/redis/timeout").asText()).isEqualTo("250ms");
      assertThat(route.at("/plugins/quota/redis/on-failure").asText()).isEqualTo("fail-closed");

      String token =
          ok(admin.as(root, "POST", "/portal/api/invitations", "{}"), 201).get("token").asText();
      ok(
          admin.call(
              "POST",
              "/portal/api/invitations/accept",
              "{\"token\":\"" + token + "\",\"name\":\"dana\",\"password\":\"" + PASSWORD + "\"}"),
          201);
      PortalClient.Session dev = admin.signIn("dana");
      String app = admin.application(dev, "shop");
      admin.subscribe(dev, app, "orders", "trial");
      String key = admin.key(dev, app);

      HttpResponse<String> refused = order(key);
      JsonNode body = problem(refused, 503, "quota-unavailable");
      assertThat(body.get("detail").asText())
          .isEqualTo("The quota cannot be checked right now. Retry after 1 s.");
      assertThat(refused.headers().firstValue("retry-after")).hasValue("1");
      assertThat(origin.requestCount()).isZero();
      for (Socket s : held) {
        s.close();
      }
    }
  }

  @Test
  void badInputIsRefusedWithProblems() throws Exception {
    start("sign-up: false", Map.of("PORTICO_ADMIN_PASSWORD", PASSWORD));
    PortalClient.Session root = admin.signIn("admin");
    problem(
        admin.as(
            root,
            "POST",
            "/portal/api/plans",
            "{\"name\":\"a\",\"requests_per_minute\":5,\"quota\":\"lots\"}"),
        400,
        "portal-invalid");
    problem(
        admin.as(
            root,
            "POST",
            "/portal/api/plans",
            "{\"name\":\"a\",\"requests_per_minute\":5,\"quota\":-2}"),
        400,
        "portal-invalid");
    // no portal.quota: no plan may have a quota
    problem(
        admin.as(
            root,
            "POST",
            "/portal/api/plans",
            "{\"name\":\"a\",\"requests_per_minute\":5,\"quota\":9}"),
        409,
        "portal-quota-off");
    problem(admin.as(root, "POST", "/portal/api/plans", "not json"), 400, "portal-invalid");
    // an OpenAPI document must be an OpenAPI 3 object; the served one points at the gateway
    problem(
        admin.as(
            root,
            "PUT",
            "/portal/api/apis/orders",
            "{\"title\":\"Orders\",\"openapi_document\":{\"swagger\":\"2.0\"}}"),
        400,
        "portal-invalid");
    problem(
        admin.as(
            root, "PUT", "/portal/api/apis/orders", "{\"title\":\"O\",\"openapi_document\":\"x\"}"),
        400,
        "portal-invalid");
    ok(admin.as(root, "PUT", "/portal/api/apis/orders", "{\"title\":\"Orders\"}"), 200);
    problem(
        admin.as(root, "GET", "/portal/api/apis/orders/openapi", null), 404, "portal-not-found");
    ok(
        admin.as(
            root,
            "PUT",
            "/portal/api/apis/orders",
            "{\"title\":\"Orders\",\"openapi_document\":{\"openapi\":\"3.0.3\","
                + "\"info\":{\"title\":\"Orders\",\"version\":\"1\"},\"paths\":{}}}"),
        200);
    String gatewayUrl = "http://127.0.0.1:" + gw.port();
    assertThat(
            ok(admin.as(root, "GET", "/portal/api/apis/orders/openapi", null), 200)
                .at("/servers/0/url")
                .asText())
        .isEqualTo(gatewayUrl);
    JsonNode catalogue = ok(admin.as(root, "GET", "/portal/api/apis", null), 200);
    assertThat(catalogue.get("gateway_url").asText()).isEqualTo(gatewayUrl);
    assertThat(catalogue.at("/apis/0/has_document").asBoolean()).isTrue();
    // the portal's pages allow the viewer's data: icons and calls to the gateway, nothing more
    HttpResponse<String> page = admin.call("GET", "/portal/", null);
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("script-src 'self';")
        .contains("img-src 'self' data:;")
        .contains("connect-src 'self' " + gatewayUrl + ";")
        .doesNotContain("unsafe");
    HttpResponse<byte[]> bundle =
        java.net.http.HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(gw.adminUri("/portal/viewer/swagger-ui-bundle.js"))
                    .header("Accept-Encoding", "gzip")
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    assertThat(bundle.statusCode()).isEqualTo(200);
    assertThat(bundle.headers().firstValue("Content-Encoding")).hasValue("gzip");
    assertThat(bundle.body().length).isBetween(100_000, 700_000);
    problem(
        admin.as(root, "POST", "/portal/api/invitations", "{\"note\":7}"), 400, "portal-invalid");
    problem(
        admin.as(root, "PUT", "/portal/api/invitations", null), 405, "admin-method-not-allowed");
    problem(
        admin.as(root, "DELETE", "/portal/api/invitations/nope", null), 404, "portal-not-found");
    problem(
        admin.call("POST", "/portal/api/invitations/accept", "{\"token\":\"pi_x\"}"),
        400,
        "portal-invalid");
    problem(
        admin.call(
            "POST",
            "/portal/api/invitations/accept",
            "{\"token\":\"pi_guess\",\"name\":\"eve\",\"password\":\"" + PASSWORD + "\"}"),
        410,
        "portal-invitation-invalid");
    problem(admin.call("POST", "/portal/api/invitations/accept", "[1"), 400, "portal-invalid");
    // a developer does not invite
    String token =
        ok(admin.as(root, "POST", "/portal/api/invitations", null), 201).get("token").asText();
    ok(
        admin.call(
            "POST",
            "/portal/api/invitations/accept",
            "{\"token\":\"" + token + "\",\"name\":\"dev\",\"password\":\"" + PASSWORD + "\"}"),
        201);
    PortalClient.Session dev = admin.signIn("dev");
    problem(admin.as(dev, "POST", "/portal/api/invitations", "{}"), 403, "admin-forbidden");
    problem(admin.as(dev, "GET", "/portal/api/invitations", null), 403, "admin-forbidden");
  }

  @Test
  void theOwnListenerServesThePortalAndSignInButNoAdminApiAndNoAnonymousCaller() throws Exception {
    // no account yet: the loopback admin listener answers anyone, the portal's listener does not
    start("address: 127.0.0.1:0\nsign-up: true", Map.of());
    InetSocketAddress a = gw.gateway().portalAddress();
    assertThat(a).isNotNull();
    PortalClient portal = new PortalClient(p -> URI.create("http://127.0.0.1:" + a.getPort() + p));
    assertThat(portal.call("GET", "/portal/", null).statusCode()).isEqualTo(200);
    assertThat(portal.call("GET", "/portal/portal.js", null).statusCode()).isEqualTo(200);
    assertThat(admin.call("GET", "/portal/api/apis", null).statusCode()).isEqualTo(200);
    problem(portal.call("GET", "/portal/api/apis", null), 401, "admin-unauthorized");
    problem(
        portal.call("POST", "/portal/api/plans", "{\"name\":\"free\",\"requests_per_minute\":9}"),
        401,
        "admin-unauthorized");
    for (String path :
        List.of(
            "/config",
            "/routes",
            "/console",
            "/console/",
            "/status",
            "/metrics",
            "/openapi.json",
            "/accounts",
            "/auth/tokens",
            "/auth/setup",
            "/consumers",
            "/reload")) {
      problem(portal.call("GET", path, null), 404, "portal-not-found");
    }
    problem(portal.call("POST", "/reload", ""), 404, "portal-not-found");

    // sign-up and sign-in through the portal's listener; a config path stays 404 with a session
    ok(
        portal.call(
            "POST", "/portal/api/sign-up", "{\"name\":\"dev\",\"password\":\"" + PASSWORD + "\"}"),
        202);
    PortalClient.Session dev = portal.signIn("dev");
    ok(portal.as(dev, "GET", "/portal/api/apis", null), 200);
    ok(portal.as(dev, "GET", "/auth/me", null), 200);
    problem(portal.as(dev, "GET", "/config", null), 404, "portal-not-found");
    assertThat(gw.gateway().portalUrl()).isEqualTo("http://127.0.0.1:" + a.getPort() + "/portal/");
  }
}
