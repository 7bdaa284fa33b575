package io.portico.portal;

import static io.portico.portal.PortalClient.PASSWORD;
import static io.portico.portal.PortalClient.ok;
import static io.portico.portal.PortalClient.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.portico.testing.GatewayFixture;
import io.portico.testing.TestOrigin;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The catalogue's life through the portal's API against a running gateway, a real origin and the
 * real Redis at 127.0.0.1:6379: OpenAPI documents in YAML and Swagger 2.0, unpublishing and
 * publishing again, a plan's hourly quota met with 429 and its headers, and what one developer may
 * see of another's.
 */
class PortalCatalogueTest {

  private TestOrigin origin;
  private GatewayFixture gw;
  private PortalClient portal;
  private PortalClient.Session admin;

  @BeforeEach
  void start() throws Exception {
    origin = TestOrigin.start();
    gw =
        GatewayFixture.start(
            """
            admin:
              address: 127.0.0.1:0
            portal:
              sign-up: true
              quota:
                redis: redis://127.0.0.1:6379
                period: month
                on-failure: fail-closed
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: orders
                paths: [ "/hello" ]
                service: backend
              - name: stock
                paths: [ "/stock" ]
                service: backend
            """
                .formatted(origin.authority()),
            Map.of("PORTICO_ADMIN_PASSWORD", PASSWORD));
    portal = new PortalClient(gw::adminUri);
    admin = portal.signIn("admin");
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

  private PortalClient.Session developer(String name) throws Exception {
    ok(
        portal.call(
            "POST",
            "/portal/api/sign-up",
            "{\"name\":\"" + name + "\",\"password\":\"" + PASSWORD + "\"}"),
        202);
    return portal.signIn(name);
  }

  private HttpResponse<String> call(String path, String key) throws Exception {
    return gw.send(HttpRequest.newBuilder(gw.uri(path)).header("apikey", key).GET());
  }

  private static String publishBody(String title, String document) {
    return PortalClient.JSON
        .createObjectNode()
        .put("title", title)
        .put("openapi_document", document)
        .toString();
  }

  /** An application of {@code dev} subscribed to {@code api} under {@code plan}, and its key. */
  private String[] subscribedKey(PortalClient.Session dev, String api, String plan)
      throws Exception {
    String app = portal.application(dev, "shop");
    JsonNode sub = portal.subscribe(dev, app, api, plan);
    assertThat(sub.get("state").asText()).isEqualTo("approved");
    String key = portal.key(dev, app);
    return new String[] {app, key, sub.get("id").asText()};
  }

  @Test
  void yamlAndSwaggerDocumentsAreKeptAsJsonAndBadOnesAreRefusedWithTheirLine() throws Exception {
    String yaml =
        """
        openapi: 3.1.0
        info:
          title: Orders
          version: "1"
        paths:
          /hello:
            get:
              summary: Says hello
              responses:
                "200": { description: a greeting }
        """;
    ok(portal.as(admin, "PUT", "/portal/api/apis/orders", publishBody("Orders", yaml)), 200);
    JsonNode served = ok(portal.as(admin, "GET", "/portal/api/apis/orders/openapi", null), 200);
    assertThat(served.get("openapi").asText()).isEqualTo("3.1.0");
    assertThat(served.at("/paths/~1hello/get/summary").asText()).isEqualTo("Says hello");
    assertThat(served.at("/servers/0/url").asText()).isEqualTo("http://127.0.0.1:" + gw.port());

    // Swagger 2.0, as YAML with the version unquoted: served with the gateway as host
    String swagger =
        """
        swagger: 2.0
        info: { title: Stock, version: "1" }
        basePath: /stock
        paths:
          /:
            get: { responses: { "200": { description: the stock } } }
        """;
    ok(portal.as(admin, "PUT", "/portal/api/apis/stock", publishBody("Stock", swagger)), 200);
    JsonNode s = ok(portal.as(admin, "GET", "/portal/api/apis/stock/openapi", null), 200);
    assertThat(s.get("swagger").asText()).isEqualTo("2.0");
    assertThat(s.get("host").asText()).isEqualTo("127.0.0.1:" + gw.port());
    assertThat(s.at("/schemes/0").asText()).isEqualTo("http");
    assertThat(s.has("servers")).isFalse();

    // JSON as text is accepted too
    ok(
        portal.as(
            admin,
            "PUT",
            "/portal/api/apis/stock",
            publishBody(
                "Stock",
                "{\"openapi\":\"3.0.3\",\"info\":{\"title\":\"Stock\",\"version\":\"1\"},"
                    + "\"paths\":{}}")),
        200);

    // a YAML syntax error, a wrong version, a missing part: each with its line
    JsonNode p =
        problem(
            portal.as(
                admin,
                "PUT",
                "/portal/api/apis/orders",
                publishBody("Orders", "openapi: 3.0.3\ninfo:\n  title: [unclosed\npaths: {}\n")),
            400,
            "portal-invalid");
    assertThat(p.get("detail").asText()).contains("not valid YAML").containsPattern("line [0-9]+");
    p =
        problem(
            portal.as(
                admin,
                "PUT",
                "/portal/api/apis/orders",
                publishBody(
                    "Orders", "info: {title: O, version: '1'}\nopenapi: 4.0.0\npaths: {}\n")),
            400,
            "portal-invalid");
    assertThat(p.get("detail").asText()).contains("line 2: openapi: \"4.0.0\"");
    p =
        problem(
            portal.as(
                admin,
                "PUT",
                "/portal/api/apis/orders",
                publishBody(
                    "Orders", "openapi: 3.0.3\ninfo: {title: O, version: '1'}\npaths: 7\n")),
            400,
            "portal-invalid");
    assertThat(p.get("detail").asText()).contains("line 3: paths:");
    p =
        problem(
            portal.as(
                admin,
                "PUT",
                "/portal/api/apis/orders",
                publishBody("Orders", "{\"openapi\":\"3.0.3\",\"openapi\":\"3.0.3\"}")),
            400,
            "portal-invalid");
    assertThat(p.get("detail").asText()).contains("not valid JSON").contains("line 1");
    problem(
        portal.as(admin, "PUT", "/portal/api/apis/orders", publishBody("Orders", "- a\n- b\n")),
        400,
        "portal-invalid");
    problem(
        portal.as(
            admin,
            "PUT",
            "/portal/api/apis/orders",
            "{\"title\":\"Orders\",\"openapi_document\":42}"),
        400,
        "portal-invalid");
    // the refusals kept the document published before
    assertThat(
            ok(portal.as(admin, "GET", "/portal/api/apis/orders/openapi", null), 200)
                .at("/paths/~1hello/get/summary")
                .asText())
        .isEqualTo("Says hello");
  }

  @Test
  void aDocumentWithExternalRefsIsRefusedWith422NamingEachPointerAndAKeptOneIsServedDetached()
      throws Exception {
    String external =
        """
        openapi: 3.0.3
        info: { title: Orders, version: "1" }
        paths:
          /hello:
            get:
              responses:
                "200":
                  description: ok
                  content:
                    application/json:
                      schema: { $ref: "common.yaml#/components/schemas/Order" }
                default: { $ref: "https://evil.example/x.json" }
          /local:
            $ref: "#/components/pathItems/Local"
        components:
          schemas:
            Tricky:
              properties:
                $ref: { type: string }
        """;
    JsonNode p =
        problem(
            portal.as(admin, "PUT", "/portal/api/apis/orders", publishBody("Orders", external)),
            422,
            "portal-openapi-external-ref");
    assertThat(p.get("status").asInt()).isEqualTo(422);
    assertThat(p.get("detail").asText())
        .contains("2 external references")
        .contains(
            "/paths/~1hello/get/responses/200/content/application~1json/schema/$ref:"
                + " \"common.yaml#/components/schemas/Order\"")
        .contains("/paths/~1hello/get/responses/default/$ref: \"https://evil.example/x.json\"");
    assertThat(p.get("external_refs").findValuesAsText("pointer"))
        .containsExactly(
            "/paths/~1hello/get/responses/200/content/application~1json/schema/$ref",
            "/paths/~1hello/get/responses/default/$ref");
    assertThat(p.get("external_refs").findValuesAsText("ref"))
        .containsExactly("common.yaml#/components/schemas/Order", "https://evil.example/x.json");
    assertThat(ok(portal.as(admin, "GET", "/portal/api/apis", null), 200).get("apis")).isEmpty();

    // a document kept before the check: served with its external references detached
    String clean =
        """
        {"openapi":"3.0.3","info":{"title":"Orders","version":"1"},
         "paths":{"/hello":{"get":{"responses":{"200":{"description":"ok"}}}}}}
        """;
    ok(portal.as(admin, "PUT", "/portal/api/apis/orders", publishBody("Orders", clean)), 200);
    Path kept = keptDocument();
    Files.writeString(
        kept,
        """
        {"openapi":"3.0.3","info":{"title":"Orders","version":"1"},
         "paths":{"/hello":{"get":{"responses":{"200":{"description":"ok","content":
           {"application/json":{"schema":{"$ref":"https://evil.example/x.json"}}}}}}}}}
        """);
    JsonNode served = ok(portal.as(admin, "GET", "/portal/api/apis/orders/openapi", null), 200);
    JsonNode schema =
        served.at("/paths/~1hello/get/responses/200/content/application~1json/schema");
    assertThat(schema.has("$ref")).isFalse();
    assertThat(schema.get("x-portico-external-ref").asText())
        .isEqualTo("https://evil.example/x.json");
    assertThat(schema.get("description").asText())
        .contains("external reference (https://evil.example/x.json)");
  }

  /** The file the admin store keeps the one published OpenAPI document in. */
  private Path keptDocument() throws Exception {
    try (Stream<Path> files = Files.walk(gw.configFile().getParent())) {
      List<Path> kept =
          files.filter(f -> f.getFileName().toString().startsWith("portal-openapi-")).toList();
      assertThat(kept).hasSize(1);
      return kept.get(0);
    }
  }

  @Test
  void unpublishingStopsTheKeysAtOnceHidesTheApiAndPublishingAgainGivesAccessBack()
      throws Exception {
    ok(portal.as(admin, "PUT", "/portal/api/apis/orders", "{\"title\":\"Orders\"}"), 200);
    ok(
        portal.as(
            admin,
            "POST",
            "/portal/api/plans",
            "{\"name\":\"free\",\"requests_per_minute\":100,\"auto_approve\":true}"),
        201);
    PortalClient.Session dev = developer("dev");
    String[] sub = subscribedKey(dev, "orders", "free");
    String key = sub[1];
    assertThat(call("/hello", key).statusCode()).isEqualTo(200);

    JsonNode out = ok(portal.as(admin, "POST", "/portal/api/apis/orders/unpublish", null), 200);
    assertThat(out.get("published").asBoolean()).isFalse();
    assertThat(call("/hello", key).statusCode()).isEqualTo(403);
    // developers no longer see it, nor subscribe to it; operators still do, to publish it again
    assertThat(ok(portal.as(dev, "GET", "/portal/api/apis", null), 200).get("apis")).isEmpty();
    JsonNode seen = ok(portal.as(admin, "GET", "/portal/api/apis", null), 200);
    assertThat(seen.at("/apis/0/published").isBoolean()).isTrue();
    assertThat(seen.at("/apis/0/published").asBoolean()).isFalse();
    String app2 = portal.application(dev, "two");
    problem(
        portal.as(
            dev,
            "POST",
            "/portal/api/applications/" + app2 + "/subscriptions",
            "{\"api\":\"orders\",\"plan\":\"free\"}"),
        404,
        "portal-not-found");
    JsonNode mine = ok(portal.as(dev, "GET", "/portal/api/applications/" + sub[0], null), 200);
    assertThat(mine.at("/subscriptions/0/state").asText()).isEqualTo("approved");
    assertThat(mine.at("/subscriptions/0/suspended").asBoolean()).isTrue();
    problem(
        portal.as(dev, "POST", "/portal/api/apis/orders/publish", null), 403, "admin-forbidden");
    problem(
        portal.as(admin, "POST", "/portal/api/apis/orders/unpublish", null), 409, "portal-state");
    problem(portal.as(admin, "POST", "/portal/api/apis/nope/unpublish", null), 404, "not-found");
    problem(
        portal.as(admin, "GET", "/portal/api/apis/orders/unpublish", null),
        405,
        "admin-method-not-allowed");

    ok(portal.as(admin, "POST", "/portal/api/apis/orders/publish", null), 200);
    assertThat(call("/hello", key).statusCode()).isEqualTo(200);
    assertThat(
            ok(portal.as(dev, "GET", "/portal/api/apis", null), 200).at("/apis/0/route").asText())
        .isEqualTo("orders");

    // every step is in the audit log
    String audit = ok(portal.as(admin, "GET", "/audit", null), 200).toString();
    assertThat(audit).contains("portal: unpublish orders").contains("portal: republish orders");
  }

  @Test
  void aPlanWithAnHourlyQuotaAnswers429WithRateLimitHeadersAndShowsWhatRemains() throws Exception {
    ok(portal.as(admin, "PUT", "/portal/api/apis/orders", "{\"title\":\"Orders\"}"), 200);
    JsonNode plan =
        ok(
            portal.as(
                admin,
                "POST",
                "/portal/api/plans",
                "{\"name\":\"hourly\",\"requests_per_minute\":100,\"quota\":3,"
                    + "\"quota_period\":\"hour\",\"auto_approve\":true}"),
            201);
    assertThat(plan.get("quota_period").asText()).isEqualTo("hour");
    assertThat(plan.get("quota_window").asText()).isEqualTo("calendar");
    JsonNode rolling =
        ok(
            portal.as(
                admin,
                "POST",
                "/portal/api/plans",
                "{\"name\":\"rolling\",\"requests_per_minute\":100,\"quota\":2,"
                    + "\"quota_period\":\"day\",\"quota_window\":\"rolling\",\"auto_approve\":true}"),
            201);
    assertThat(rolling.get("quota_window").asText()).isEqualTo("rolling");
    problem(
        portal.as(
            admin,
            "POST",
            "/portal/api/plans",
            "{\"name\":\"x\",\"requests_per_minute\":1,\"quota\":2,\"quota_period\":\"week\"}"),
        400,
        "portal-invalid");
    problem(
        portal.as(
            admin,
            "POST",
            "/portal/api/plans",
            "{\"name\":\"x\",\"requests_per_minute\":1,\"quota_period\":\"hour\"}"),
        400,
        "portal-invalid");
    problem(
        portal.as(
            admin,
            "POST",
            "/portal/api/plans",
            "{\"name\":\"x\",\"requests_per_minute\":1,\"quota\":2,\"quota_window\":3}"),
        400,
        "portal-invalid");

    PortalClient.Session dev = developer("dev");
    String[] hourly = subscribedKey(dev, "orders", "hourly");
    String usagePath = "/portal/api/applications/" + hourly[0] + "/usage";
    // the quota's Redis connection is made on first use: wait until the usage reads the counter
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(
                        ok(portal.as(dev, "GET", usagePath, null), 200)
                            .at("/quotas/0/used")
                            .isNumber())
                    .isTrue());
    List<Integer> seen = new ArrayList<>();
    HttpResponse<String> last = null;
    for (int i = 0; i < 5; i++) {
      last = call("/hello", hourly[1]);
      seen.add(last.statusCode());
    }
    assertThat(seen).containsExactly(200, 200, 200, 429, 429);
    // the quota's policy and state beside the plan's rate (rate-limit's, per minute)
    assertThat(last.headers().firstValue("RateLimit-Policy").orElseThrow())
        .contains("\"portal-orders\";q=3;w=3600")
        .contains(";w=60");
    assertThat(last.headers().firstValue("RateLimit").orElseThrow())
        .containsPattern("\"portal-orders\";r=0;t=[0-9]+");
    long retry = Long.parseLong(last.headers().firstValue("Retry-After").orElseThrow());
    assertThat(retry).isBetween(1L, 3600L);
    assertThat(last.body()).contains("quota-exceeded").contains("hourly quota of 3");
    JsonNode usage = ok(portal.as(dev, "GET", usagePath, null), 200);
    assertThat(usage.at("/quotas/0/period").asText()).isEqualTo("hour");
    assertThat(usage.at("/quotas/0/window").asText()).isEqualTo("calendar");
    assertThat(usage.at("/quotas/0/limit").asLong()).isEqualTo(3);
    assertThat(usage.at("/quotas/0/remaining").asLong()).isZero();

    // the rolling plan: another application of the same developer, counted on its own
    String app = portal.application(dev, "roll");
    portal.subscribe(dev, app, "orders", "rolling");
    String key = portal.key(dev, app);
    seen.clear();
    for (int i = 0; i < 3; i++) {
      last = call("/hello", key);
      seen.add(last.statusCode());
    }
    assertThat(seen).containsExactly(200, 200, 429);
    assertThat(last.headers().firstValue("RateLimit-Policy").orElseThrow())
        .contains("\"portal-orders\";q=2;w=86400");
    assertThat(last.body()).contains("per rolling day");
    JsonNode u = ok(portal.as(dev, "GET", "/portal/api/applications/" + app + "/usage", null), 200);
    assertThat(u.at("/quotas/0/window").asText()).isEqualTo("rolling");
    assertThat(u.at("/quotas/0/used").asLong()).isEqualTo(2);
    assertThat(u.at("/quotas/0/remaining").asLong()).isZero();
  }

  @Test
  void oneDeveloperGetsNothingOfAnothersApplicationsKeysOrUsageAndWritesNeedTheCsrfToken()
      throws Exception {
    ok(portal.as(admin, "PUT", "/portal/api/apis/orders", "{\"title\":\"Orders\"}"), 200);
    ok(
        portal.as(
            admin,
            "POST",
            "/portal/api/plans",
            "{\"name\":\"free\",\"requests_per_minute\":100,\"auto_approve\":true}"),
        201);
    PortalClient.Session ann = developer("ann");
    PortalClient.Session bob = developer("bob");
    String[] anns = subscribedKey(ann, "orders", "free");
    String app = anns[0];
    String keyId =
        ok(portal.as(ann, "GET", "/portal/api/applications/" + app, null), 200)
            .at("/keys/0/id")
            .asText();

    // bob sees none of ann's application, keys, subscriptions or usage, and changes nothing
    JsonNode bobsApps = ok(portal.as(bob, "GET", "/portal/api/applications", null), 200);
    assertThat(bobsApps.get("applications")).isEmpty();
    for (String[] c :
        List.of(
            new String[] {"GET", "/portal/api/applications/" + app},
            new String[] {"GET", "/portal/api/applications/" + app + "/usage"},
            new String[] {"POST", "/portal/api/applications/" + app + "/keys"},
            new String[] {"DELETE", "/portal/api/applications/" + app + "/keys/" + keyId},
            new String[] {"POST", "/portal/api/applications/" + app + "/subscriptions"})) {
      HttpResponse<String> r =
          portal.as(bob, c[0], c[1], c[0].equals("POST") ? "{\"api\":\"orders\"}" : null);
      problem(r, 404, "portal-not-found");
      assertThat(r.body()).doesNotContain("shop").doesNotContain("ann");
    }
    for (String path :
        List.of(
            "/portal/api/subscriptions",
            "/portal/api/subscriptions/" + anns[2] + "/revoke",
            "/accounts")) {
      HttpResponse<String> r = portal.as(bob, path.endsWith("revoke") ? "POST" : "GET", path, null);
      assertThat(r.statusCode()).as(path).isEqualTo(403);
      assertThat(r.body()).doesNotContain("shop");
    }
    // ann's key still works: bob's attempts changed nothing
    assertThat(call("/hello", anns[1]).statusCode()).isEqualTo(200);

    // a session's write without its CSRF token is refused, whatever the path
    HttpResponse<String> noToken =
        portal.call(
            "POST",
            "/portal/api/applications",
            "{\"name\":\"sneaky\"}",
            "Cookie",
            "portico_session=" + ann.cookie());
    assertThat(noToken.statusCode()).isEqualTo(403);
    HttpResponse<String> wrongToken =
        portal.call(
            "POST",
            "/portal/api/applications/" + app + "/keys",
            null,
            "Cookie",
            "portico_session=" + ann.cookie(),
            "X-CSRF-Token",
            bob.csrf());
    assertThat(wrongToken.statusCode()).isEqualTo(403);
    assertThat(ok(portal.as(ann, "GET", "/portal/api/applications", null), 200).get("applications"))
        .hasSize(1);

    // names with markup are kept as text, as given; the pages render them with textContent
    String markup = "<img src=x onerror=alert(1)>";
    JsonNode created =
        ok(
            portal.as(
                ann,
                "POST",
                "/portal/api/applications",
                PortalClient.JSON.createObjectNode().put("name", markup).toString()),
            201);
    assertThat(created.get("name").asText()).isEqualTo(markup);
  }
}
