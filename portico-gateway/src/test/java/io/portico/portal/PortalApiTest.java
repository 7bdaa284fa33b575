package io.portico.portal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.testing.GatewayFixture;
import io.portico.testing.TestOrigin;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The developer portal through its API against a running gateway and a real origin: sign-up, an
 * application, a subscription that needs approval, an operator's approval, a key that works on the
 * gateway at once under the plan's rate, and the roles that may not write.
 */
class PortalApiTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PASSWORD = "correct horse battery";

  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
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

  private record Browser(String cookie, String csrf) {}

  private HttpResponse<String> call(String method, String path, String body, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(gw.adminUri(path))
            .timeout(Duration.ofSeconds(20))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> as(Browser who, String method, String path, String body)
      throws Exception {
    List<String> h = new ArrayList<>(List.of("Cookie", "portico_session=" + who.cookie()));
    if (!method.equals("GET")) {
      h.add("X-CSRF-Token");
      h.add(who.csrf());
    }
    return call(method, path, body, h.toArray(String[]::new));
  }

  private Browser signIn(String name) throws Exception {
    HttpResponse<String> r =
        call(
            "POST",
            "/auth/sign-in",
            JSON.createObjectNode().put("name", name).put("password", PASSWORD).toString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Matcher m =
        Pattern.compile("portico_session=([^;]*)")
            .matcher(r.headers().firstValue("Set-Cookie").orElseThrow());
    assertThat(m.find()).isTrue();
    return new Browser(m.group(1), JSON.readTree(r.body()).get("csrf_token").asText());
  }

  private JsonNode ok(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return JSON.readTree(r.body());
  }

  private void account(Browser admin, String name, String role) throws Exception {
    ok(
        as(
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
    Browser admin = signIn("admin");
    account(admin, "olga", "operator");
    account(admin, "vera", "viewer");
    Browser operator = signIn("olga");

    ok(
        as(
            operator,
            "PUT",
            "/portal/api/apis/orders",
            "{\"title\":\"Orders\",\"description\":\"Place and track orders\","
                + "\"openapi\":\"/orders/openapi.json\"}"),
        200);
    ok(
        as(
            operator,
            "POST",
            "/portal/api/plans",
            "{\"name\":\"starter\",\"description\":\"for trying\","
                + "\"requests_per_minute\":3,\"auto_approve\":false}"),
        201);
    // a published route takes keys at once: without one, 401
    assertThat(order("none").statusCode()).isEqualTo(401);

    ok(
        call("POST", "/portal/api/sign-up", "{\"name\":\"dev\",\"password\":\"" + PASSWORD + "\"}"),
        201);
    Browser dev = signIn("dev");
    JsonNode catalogue = ok(as(dev, "GET", "/portal/api/apis", null), 200);
    assertThat(catalogue.at("/apis/0/title").asText()).isEqualTo("Orders");
    assertThat(catalogue.at("/plans/0/requests_per_minute").asInt()).isEqualTo(3);

    String app =
        ok(
                as(
                    dev,
                    "POST",
                    "/portal/api/applications",
                    "{\"name\":\"shop\",\"description\":\"the web shop\"}"),
                201)
            .get("id")
            .asText();
    JsonNode sub =
        ok(
            as(
                dev,
                "POST",
                "/portal/api/applications/" + app + "/subscriptions",
                "{\"api\":\"orders\",\"plan\":\"starter\"}"),
            201);
    assertThat(sub.get("state").asText()).isEqualTo("pending");
    String subId = sub.get("id").asText();

    // no key before approval; a developer cannot approve, a viewer cannot write
    assertThat(as(dev, "POST", "/portal/api/applications/" + app + "/keys", null).statusCode())
        .isEqualTo(409);
    assertThat(
            as(dev, "POST", "/portal/api/subscriptions/" + subId + "/approve", null).statusCode())
        .isEqualTo(403);
    assertThat(as(dev, "GET", "/portal/api/subscriptions", null).statusCode()).isEqualTo(403);
    Browser viewer = signIn("vera");
    assertThat(
            as(viewer, "POST", "/portal/api/subscriptions/" + subId + "/approve", null)
                .statusCode())
        .isEqualTo(403);
    assertThat(as(viewer, "POST", "/portal/api/applications", "{\"name\":\"x\"}").statusCode())
        .isEqualTo(403);
    assertThat(as(viewer, "PUT", "/portal/api/apis/orders", "{\"title\":\"y\"}").statusCode())
        .isEqualTo(403);
    // the viewer reads the queue
    JsonNode pending = ok(as(viewer, "GET", "/portal/api/subscriptions?state=pending", null), 200);
    assertThat(pending.at("/subscriptions/0/id").asText()).isEqualTo(subId);
    // the viewer sees every application; the operator owns none of them
    assertThat(ok(as(viewer, "GET", "/portal/api/applications", null), 200).get("applications"))
        .hasSize(1);
    assertThat(as(operator, "POST", "/portal/api/applications/" + app + "/keys", null).statusCode())
        .isEqualTo(404);

    JsonNode approved =
        ok(as(operator, "POST", "/portal/api/subscriptions/" + subId + "/approve", null), 200);
    assertThat(approved.get("state").asText()).isEqualTo("approved");

    JsonNode issued = ok(as(dev, "POST", "/portal/api/applications/" + app + "/keys", null), 201);
    String key = issued.get("key").asText();
    assertThat(key).startsWith("pk_");
    // the key is shown once: the application lists its id only, and the consumer keeps the hash
    String detail = as(dev, "GET", "/portal/api/applications/" + app, null).body();
    assertThat(detail).doesNotContain(key);
    assertThat(as(admin, "GET", "/consumers/app-" + app, null).body())
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

    JsonNode usage = ok(as(dev, "GET", "/portal/api/applications/" + app + "/usage", null), 200);
    assertThat(usage.get("available").asBoolean()).isTrue();
    assertThat(usage.get("requests").asLong()).isGreaterThanOrEqualTo(4);
    assertThat(usage.get("client_errors").asLong()).isGreaterThanOrEqualTo(1);

    // revoking the subscription takes the key off the route at once
    ok(as(operator, "POST", "/portal/api/subscriptions/" + subId + "/revoke", null), 200);
    assertThat(order(key).statusCode()).isEqualTo(403);
  }

  @Test
  void signUpIsOffUnlessConfiguredAndDevelopersStayOutOfTheAdminApi() throws Exception {
    start(false);
    HttpResponse<String> r =
        call("POST", "/portal/api/sign-up", "{\"name\":\"dev\",\"password\":\"" + PASSWORD + "\"}");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    Browser admin = signIn("admin");
    account(admin, "invited", "developer");
    Browser dev = signIn("invited");
    assertThat(as(dev, "GET", "/portal/api/apis", null).statusCode()).isEqualTo(200);
    assertThat(as(dev, "GET", "/routes", null).statusCode()).isEqualTo(403);
    assertThat(as(dev, "POST", "/portal/api/plans", "{\"name\":\"p\"}").statusCode())
        .isEqualTo(403);

    HttpResponse<String> page = call("GET", "/portal/", null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("script-src 'self'")
        .contains("frame-ancestors 'none'");
    assertThat(page.body()).contains("/portal/portal.js").doesNotContain("<script>");
  }
}
