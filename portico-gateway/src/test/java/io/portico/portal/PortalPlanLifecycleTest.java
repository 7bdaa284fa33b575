package io.portico.portal;

import static io.portico.portal.PortalClient.ok;
import static io.portico.portal.PortalClient.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.portico.testing.GatewayFixture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Renaming and deleting plans through the portal's API against a running gateway and a real origin
 * (and the real Redis at 127.0.0.1:6379 for quotas): a renamed plan's keys keep answering under the
 * same limits, with no call refused while the rename is applied; a plan that subscriptions hold is
 * not deleted unless they are moved to another plan; {@code If-Match} holds a write to the version
 * it was read from; only operators and admins may rename or delete; each change is in the audit
 * log.
 */
class PortalPlanLifecycleTest {

  private static final String XSS = "<img src=x onerror=alert(1)>";

  @RegisterExtension final OrdersPortal env = new OrdersPortal();
  private GatewayFixture gw;
  private PortalClient portal;
  private PortalClient.Session admin;
  private PortalClient.Session operator;
  private PortalClient.Session dev;

  private void start(String portalSection) throws Exception {
    env.start(portalSection, "olga", "operator", "vera", "viewer", "dev", "developer");
    gw = env.gateway();
    portal = env.portal();
    admin = env.admin();
    operator = portal.signIn("olga");
    dev = portal.signIn("dev");
    ok(portal.as(operator, "PUT", "/portal/api/apis/orders", "{\"title\":\"Orders\"}"), 200);
  }

  private void plan(String name, int rate, boolean auto, String more) throws Exception {
    ok(
        portal.as(
            operator,
            "POST",
            "/portal/api/plans",
            "{\"name\":\""
                + name
                + "\",\"requests_per_minute\":"
                + rate
                + ",\"auto_approve\":"
                + auto
                + more
                + "}"),
        201);
  }

  private int order(String key) throws Exception {
    return gw.send(HttpRequest.newBuilder(gw.uri("/hello")).header("apikey", key).GET())
        .statusCode();
  }

  private List<Integer> orders(String key, int n) throws Exception {
    List<Integer> seen = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      seen.add(order(key));
    }
    return seen;
  }

  /** An application named {@code name} subscribed to orders under {@code plan}: id, sub, key. */
  private String[] subscribed(String name, String plan, boolean key) throws Exception {
    String app = portal.application(dev, name);
    String sub = portal.subscribe(dev, app, "orders", plan).get("id").asText();
    String k = key ? portal.key(dev, app) : "";
    return new String[] {app, sub, k};
  }

  private HttpResponse<String> withIfMatch(String method, String path, String body, String ifMatch)
      throws Exception {
    return portal.call(
        method,
        path,
        body,
        "Cookie",
        "portico_session=" + operator.cookie(),
        "X-CSRF-Token",
        operator.csrf(),
        "If-Match",
        ifMatch);
  }

  private List<String> appliedPortalActions() throws Exception {
    List<String> out = new ArrayList<>();
    ok(portal.as(admin, "GET", "/audit", null), 200)
        .get("entries")
        .forEach(
            e -> {
              if (e.get("action").asText().startsWith("portal: ")
                  && e.get("outcome").asText().equals("applied")) {
                out.add(e.get("actor").asText() + " " + e.get("action").asText());
              }
            });
    return out;
  }

  @Test
  void aRenamedPlansKeysKeepAnsweringUnderTheSameLimitsWithNoCallRefusedMeanwhile()
      throws Exception {
    start("sign-up: false");
    plan("basic", 2, true, "");
    plan("bulk", 1_000_000, true, "");
    String basicKey = subscribed("shop", "basic", true)[2];
    String[] bulk = subscribed("mill", "bulk", true);
    assertThat(orders(basicKey, 3)).containsExactly(200, 200, 429);

    // a viewer and a developer may not rename; nothing changes
    String rename = "{\"name\":\"bulk-v2\"}";
    PortalClient.Session viewer = portal.signIn("vera");
    problem(portal.as(viewer, "PATCH", "/portal/api/plans/bulk", rename), 403, "admin-forbidden");
    problem(portal.as(dev, "PATCH", "/portal/api/plans/bulk", rename), 403, "admin-forbidden");
    ok(portal.as(viewer, "GET", "/portal/api/plans/bulk", null), 200);

    // names a plan may not take: refused, nothing renamed
    problem(
        portal.as(operator, "PATCH", "/portal/api/plans/bulk", "{\"name\":\"basic\"}"),
        409,
        "portal-exists");
    for (String bad : List.of(XSS, "Bulk", "", "-x")) {
      JsonNode p =
          problem(
              portal.as(
                  operator,
                  "PATCH",
                  "/portal/api/plans/bulk",
                  PortalClient.JSON.createObjectNode().put("name", bad).toString()),
              400,
              "portal-invalid");
      assertThat(p.get("detail").asText()).as(bad).startsWith("name: \"" + bad + "\" (expected:");
    }
    problem(
        portal.as(operator, "PATCH", "/portal/api/plans/bulk", "{\"name\":7}"),
        400,
        "portal-invalid");

    // calls with the bulk key all along the rename: not one is refused
    List<Integer> seen = new CopyOnWriteArrayList<>();
    AtomicBoolean running = new AtomicBoolean(true);
    Thread caller =
        new Thread(
            () -> {
              try {
                while (running.get()) {
                  seen.add(order(bulk[2]));
                }
              } catch (Exception e) {
                seen.add(-1);
              }
            });
    caller.start();
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() >= 20);
      HttpResponse<String> r = portal.as(operator, "PATCH", "/portal/api/plans/bulk", rename);
      JsonNode renamed = ok(r, 200);
      assertThat(renamed.get("name").asText()).isEqualTo("bulk-v2");
      assertThat(renamed.get("requests_per_minute").asInt()).isEqualTo(1_000_000);
      assertThat(r.headers().firstValue("Location")).hasValue("/portal/api/plans/bulk-v2");
      assertThat(r.headers().firstValue("ETag"))
          .hasValue("\"" + renamed.get("etag").asText() + "\"");
      int at = seen.size();
      await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() >= at + 20);
    } finally {
      running.set(false);
      caller.join(20_000);
    }
    assertThat(seen).hasSizeGreaterThanOrEqualTo(40).containsOnly(200);

    // the other plan renamed with a change of rate in the same write: its key under the new rate
    JsonNode starter =
        ok(
            portal.as(
                operator,
                "PATCH",
                "/portal/api/plans/basic",
                "{\"name\":\"starter\",\"requests_per_minute\":3}"),
            200);
    assertThat(starter.get("requests_per_minute").asInt()).isEqualTo(3);
    assertThat(orders(basicKey, 4)).containsExactly(200, 200, 200, 429);

    // the old names are gone everywhere: the plans, the subscriptions, the gateway's objects
    problem(portal.as(operator, "GET", "/portal/api/plans/bulk", null), 404, "portal-not-found");
    problem(portal.as(operator, "GET", "/portal/api/plans/basic", null), 404, "portal-not-found");
    JsonNode app = ok(portal.as(dev, "GET", "/portal/api/applications/" + bulk[0], null), 200);
    assertThat(app.at("/subscriptions/0/plan").asText()).isEqualTo("bulk-v2");
    assertThat(app.at("/subscriptions/0/state").asText()).isEqualTo("approved");
    JsonNode consumer = ok(portal.as(admin, "GET", "/consumers/app-" + bulk[0], null), 200);
    assertThat(consumer.get("groups").toString())
        .contains("portal-orders-bulk-v2")
        .doesNotContain("\"portal-orders-bulk\"");
    JsonNode route = ok(portal.as(admin, "GET", "/routes/orders", null), 200);
    assertThat(route.at("/plugins/acl/allow-groups").toString())
        .contains("portal-orders-bulk-v2", "portal-orders-starter")
        .doesNotContain("\"portal-orders-bulk\"", "portal-orders-basic");
    assertThat(route.at("/plugins/rate-limit/groups/portal-orders-starter").asInt()).isEqualTo(3);
    assertThat(route.at("/plugins/rate-limit/groups").has("portal-orders-basic")).isFalse();
    // a developer subscribes under the new name; the old one is unknown
    problem(
        portal.as(
            dev,
            "POST",
            "/portal/api/applications/" + bulk[0] + "/subscriptions",
            "{\"api\":\"orders\",\"plan\":\"bulk\"}"),
        404,
        "portal-not-found");

    assertThat(appliedPortalActions())
        .contains(
            "olga portal: update plan bulk (name: \"bulk\" → \"bulk-v2\")",
            "olga portal: update plan basic (name: \"basic\" → \"starter\","
                + " requests_per_minute: 2 → 3)")
        .noneMatch(a -> a.contains("\"Bulk\"") || a.contains("onerror"));
  }

  @Test
  void aPlanHeldBySubscriptionsIsDeletedOnlyWhenTheyAreMovedToAnotherPlan() throws Exception {
    start("sign-up: false");
    plan("basic", 2, true, "");
    plan("gold", 5, false, "");
    plan("spare", 9, true, "");
    String[] shop = subscribed(XSS, "basic", true);
    String[] ended = subscribed("old shop", "basic", false);
    ok(portal.as(operator, "POST", "/portal/api/subscriptions/" + ended[1] + "/revoke", null), 200);
    assertThat(orders(shop[2], 3)).containsExactly(200, 200, 429);

    // a plan nobody holds is deleted, and its group leaves the route
    JsonNode deleted = ok(portal.as(operator, "DELETE", "/portal/api/plans/spare", null), 200);
    assertThat(deleted.get("deleted").asBoolean()).isTrue();
    assertThat(deleted.get("moved")).isEmpty();
    problem(portal.as(operator, "GET", "/portal/api/plans/spare", null), 404, "portal-not-found");
    assertThat(
            ok(portal.as(admin, "GET", "/routes/orders", null), 200)
                .at("/plugins/acl/allow-groups")
                .toString())
        .doesNotContain("portal-orders-spare")
        .contains("portal-orders-basic", "portal-orders-gold");
    problem(
        portal.as(operator, "DELETE", "/portal/api/plans/spare", null), 404, "portal-not-found");

    // a plan a live subscription holds: refused, naming it (not the revoked one); nothing changes
    JsonNode refused =
        problem(
            portal.as(operator, "DELETE", "/portal/api/plans/basic", null),
            409,
            "portal-plan-in-use");
    assertThat(refused.get("detail").asText())
        .contains(shop[1], "application \"" + XSS + "\"", "API orders", "approved", "?move-to=")
        .doesNotContain(ended[1]);
    assertThat(refused.get("subscriptions")).hasSize(1);
    assertThat(refused.at("/subscriptions/0/id").asText()).isEqualTo(shop[1]);
    assertThat(refused.at("/subscriptions/0/application_name").asText()).isEqualTo(XSS);
    assertThat(refused.at("/subscriptions/0/state").asText()).isEqualTo("approved");

    // nowhere to move them, another parameter, someone who may not: refused, nothing changes
    for (String bad : List.of("?move-to=basic", "?move-to=none", "?move-to=", "?moveto=gold")) {
      problem(
          portal.as(operator, "DELETE", "/portal/api/plans/basic" + bad, null),
          400,
          "portal-invalid");
    }
    PortalClient.Session viewer = portal.signIn("vera");
    problem(
        portal.as(viewer, "DELETE", "/portal/api/plans/basic?move-to=gold", null),
        403,
        "admin-forbidden");
    problem(
        portal.as(dev, "DELETE", "/portal/api/plans/basic?move-to=gold", null),
        403,
        "admin-forbidden");
    ok(portal.as(operator, "GET", "/portal/api/plans/basic", null), 200);
    // still under basic's rate (the deletion of spare made a new snapshot, which counts afresh)
    assertThat(orders(shop[2], 3)).containsExactly(200, 200, 429);

    // moved to gold: still approved (gold approves by hand), the same key under gold's rate
    JsonNode moved =
        ok(portal.as(operator, "DELETE", "/portal/api/plans/basic?move-to=gold", null), 200);
    assertThat(moved.get("moved_to").asText()).isEqualTo("gold");
    assertThat(moved.get("moved").toString()).isEqualTo("[\"" + shop[1] + "\"]");
    assertThat(orders(shop[2], 6)).containsExactly(200, 200, 200, 200, 200, 429);
    JsonNode app = ok(portal.as(dev, "GET", "/portal/api/applications/" + shop[0], null), 200);
    assertThat(app.at("/subscriptions/0/plan").asText()).isEqualTo("gold");
    assertThat(app.at("/subscriptions/0/state").asText()).isEqualTo("approved");
    JsonNode old = ok(portal.as(dev, "GET", "/portal/api/applications/" + ended[0], null), 200);
    assertThat(old.at("/subscriptions/0/plan").asText()).isEqualTo("basic");
    assertThat(old.at("/subscriptions/0/state").asText()).isEqualTo("revoked");
    problem(portal.as(operator, "GET", "/portal/api/plans/basic", null), 404, "portal-not-found");
    assertThat(
            ok(portal.as(admin, "GET", "/consumers/app-" + shop[0], null), 200)
                .get("groups")
                .toString())
        .isEqualTo("[\"portal-orders-gold\"]");

    assertThat(appliedPortalActions())
        .contains(
            "olga portal: delete plan spare",
            "olga portal: delete plan basic (moved 1 subscription to gold: " + shop[1] + ")");
  }

  @Test
  void ifMatchHoldsAPlansWriteToTheVersionItWasReadFrom() throws Exception {
    start("sign-up: false");
    plan("basic", 2, true, "");
    HttpResponse<String> read = portal.as(operator, "GET", "/portal/api/plans/basic", null);
    String etag = read.headers().firstValue("ETag").orElseThrow();
    assertThat(etag).matches("\"[0-9a-f]{16}\"");
    assertThat(ok(read, 200).get("etag").asText()).isEqualTo(etag.replace("\"", ""));
    assertThat(
            ok(portal.as(dev, "GET", "/portal/api/plans", null), 200).at("/plans/0/etag").asText())
        .isEqualTo(etag.replace("\"", ""));

    // someone else's change in between: the write over the old version is refused
    HttpResponse<String> other =
        portal.as(admin, "PATCH", "/portal/api/plans/basic", "{\"description\":\"theirs\"}");
    String current = other.headers().firstValue("ETag").orElseThrow();
    assertThat(current).isNotEqualTo(etag);
    JsonNode stale =
        problem(
            withIfMatch("PATCH", "/portal/api/plans/basic", "{\"description\":\"mine\"}", etag),
            412,
            "admin-precondition-failed");
    assertThat(stale.get("detail").asText())
        .contains("The plan basic has changed", current, etag.replace("\"", ""));
    problem(
        withIfMatch("PATCH", "/portal/api/plans/basic", "{\"name\":\"mine\"}", etag),
        412,
        "admin-precondition-failed");
    problem(
        withIfMatch("DELETE", "/portal/api/plans/basic", null, etag),
        412,
        "admin-precondition-failed");
    JsonNode kept = ok(portal.as(operator, "GET", "/portal/api/plans/basic", null), 200);
    assertThat(kept.get("description").asText()).isEqualTo("theirs");

    // over the version it read (weak or strong) or any (*): applied
    HttpResponse<String> mine =
        withIfMatch(
            "PATCH", "/portal/api/plans/basic", "{\"description\":\"mine\"}", "W/" + current);
    assertThat(ok(mine, 200).get("description").asText()).isEqualTo("mine");
    String afterMine = mine.headers().firstValue("ETag").orElseThrow();
    HttpResponse<String> renamed =
        withIfMatch("PATCH", "/portal/api/plans/basic", "{\"name\":\"starter\"}", afterMine);
    String afterRename = renamed.headers().firstValue("ETag").orElseThrow();
    assertThat(ok(renamed, 200).get("name").asText()).isEqualTo("starter");
    assertThat(afterRename).isNotEqualTo(afterMine);
    // the old name's tag does not hold the renamed plan
    problem(
        withIfMatch("DELETE", "/portal/api/plans/starter", null, afterMine),
        412,
        "admin-precondition-failed");
    ok(withIfMatch("PATCH", "/portal/api/plans/starter", "{\"requests_per_minute\":4}", "*"), 200);
    // without If-Match, as on the admin API's objects, a write is not refused for it
    HttpResponse<String> latest = portal.as(operator, "GET", "/portal/api/plans/starter", null);
    ok(
        withIfMatch(
            "DELETE",
            "/portal/api/plans/starter",
            null,
            latest.headers().firstValue("ETag").orElseThrow()),
        200);
    plan("again", 2, true, "");
    ok(portal.as(operator, "DELETE", "/portal/api/plans/again", null), 200);
  }

  @Test
  void aRenamedPlansQuotaKeepsCountingTheCallsAlreadyMade() throws Exception {
    start(
        """
        quota:
          redis: redis://127.0.0.1:6379
          period: day
          on-failure: fail-closed
        """);
    plan("trial", 1000, true, ",\"quota\":3");
    String[] shop = subscribed("shop", "trial", true);
    awaitQuota(shop[0]);
    assertThat(orders(shop[2], 2)).containsExactly(200, 200);

    JsonNode renamed =
        ok(portal.as(operator, "PATCH", "/portal/api/plans/trial", "{\"name\":\"tryout\"}"), 200);
    assertThat(renamed.get("quota").asLong()).isEqualTo(3);
    assertThat(
            ok(portal.as(admin, "GET", "/routes/orders", null), 200)
                .at("/plugins/quota/groups/portal-orders-tryout/limit")
                .asLong())
        .isEqualTo(3);
    awaitQuota(shop[0]);
    // the two calls made under the old name still count: one more passes
    assertThat(orders(shop[2], 2)).containsExactly(200, 429);
  }

  /** Waits until the quota of the application's subscription can be read from Redis. */
  private void awaitQuota(String app) {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(
                        ok(
                                portal.as(
                                    dev, "GET", "/portal/api/applications/" + app + "/usage", null),
                                200)
                            .at("/quotas/0/used")
                            .isNumber())
                    .isTrue());
  }
}
