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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Changing a plan through the portal's API against a running gateway and a real origin (and the
 * real Redis at 127.0.0.1:6379 for quotas): the keys of existing subscriptions are held to the new
 * limits at once, without being reissued; bad changes are refused with a problem and change
 * nothing; only operators and admins may change a plan; each change is in the audit log.
 */
class PortalPlanEditTest {

  @RegisterExtension final OrdersPortal env = new OrdersPortal();
  private GatewayFixture gw;
  private PortalClient portal;
  private PortalClient.Session admin;

  private void start(String portalSection) throws Exception {
    env.start(portalSection, "olga", "operator", "vera", "viewer", "dev", "developer");
    gw = env.gateway();
    portal = env.portal();
    admin = env.admin();
  }

  private HttpResponse<String> order(String key) throws Exception {
    return gw.send(HttpRequest.newBuilder(gw.uri("/hello")).header("apikey", key).GET());
  }

  /** The statuses of {@code n} calls with {@code key}, one after the other. */
  private List<Integer> orders(String key, int n) throws Exception {
    List<Integer> seen = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      seen.add(order(key).statusCode());
    }
    return seen;
  }

  /** A developer's application subscribed to orders under {@code plan}, and its key. */
  private String subscribedKey(PortalClient.Session dev, String plan) throws Exception {
    return subscribed(dev, plan)[1];
  }

  /** A developer's application subscribed to orders under {@code plan}: its id and its key. */
  private String[] subscribed(PortalClient.Session dev, String plan) throws Exception {
    String app = portal.application(dev, "shop");
    JsonNode sub = portal.subscribe(dev, app, "orders", plan);
    assertThat(sub.get("state").asText()).isEqualTo("approved");
    String key = portal.key(dev, app);
    return new String[] {app, key};
  }

  /**
   * Waits until the quota of the application's subscription can be read: the quota plugin of a new
   * snapshot connects to Redis on first use, and with {@code fail-closed} a call before that
   * answers 503.
   */
  private void awaitQuota(PortalClient.Session dev, String app) {
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

  @Test
  void raisingAPlansRateLetsTheSameKeyThroughAtOnceAndOnlyOperatorsMayChangeIt() throws Exception {
    start("sign-up: false");
    PortalClient.Session operator = portal.signIn("olga");
    ok(portal.as(operator, "PUT", "/portal/api/apis/orders", "{\"title\":\"Orders\"}"), 200);
    ok(
        portal.as(
            operator,
            "POST",
            "/portal/api/plans",
            "{\"name\":\"basic\",\"description\":\"to try\",\"requests_per_minute\":2,"
                + "\"auto_approve\":true}"),
        201);
    PortalClient.Session dev = portal.signIn("dev");
    String key = subscribedKey(dev, "basic");
    assertThat(orders(key, 3)).containsExactly(200, 200, 429);

    // a viewer and a developer may read the plan, not change it; nothing changes
    String raise = "{\"requests_per_minute\":100,\"description\":\"for shops\"}";
    PortalClient.Session viewer = portal.signIn("vera");
    problem(portal.as(viewer, "PATCH", "/portal/api/plans/basic", raise), 403, "admin-forbidden");
    problem(portal.as(dev, "PATCH", "/portal/api/plans/basic", raise), 403, "admin-forbidden");
    assertThat(
            ok(portal.as(viewer, "GET", "/portal/api/plans/basic", null), 200)
                .get("requests_per_minute")
                .asInt())
        .isEqualTo(2);
    assertThat(order(key).statusCode()).isEqualTo(429);

    // bad changes: a problem each, the plan and the gateway unchanged
    for (String bad :
        List.of(
            "{\"requests_per_minute\":0}",
            "{\"requests_per_minute\":\"lots\"}",
            "{\"requests_per_minute\":1000001}",
            "{\"name\":\"Premium\"}",
            "{\"limit\":5}",
            "{\"auto_approve\":\"yes\"}",
            "{\"description\":7}",
            "{}",
            "[1]")) {
      JsonNode p =
          problem(
              portal.as(operator, "PATCH", "/portal/api/plans/basic", bad), 400, "portal-invalid");
      assertThat(p.get("detail").asText()).as(bad).contains("expected");
    }
    assertThat(
            problem(
                    portal.as(operator, "PATCH", "/portal/api/plans/basic", "{\"quota\":10}"),
                    409,
                    "portal-quota-off")
                .get("detail")
                .asText())
        .contains("portal.quota");
    problem(portal.as(operator, "PATCH", "/portal/api/plans/none", raise), 404, "portal-not-found");
    problem(
        portal.as(operator, "PUT", "/portal/api/plans/basic", raise),
        405,
        "admin-method-not-allowed");
    assertThat(order(key).statusCode()).isEqualTo(429);

    // the operator raises the limit: the same key passes at once
    JsonNode changed = ok(portal.as(operator, "PATCH", "/portal/api/plans/basic", raise), 200);
    assertThat(changed.get("requests_per_minute").asInt()).isEqualTo(100);
    assertThat(changed.get("description").asText()).isEqualTo("for shops");
    assertThat(changed.get("auto_approve").asBoolean()).isTrue();
    assertThat(orders(key, 5)).containsOnly(200);
    JsonNode catalogue = ok(portal.as(dev, "GET", "/portal/api/plans", null), 200);
    assertThat(catalogue.at("/plans/0/requests_per_minute").asInt()).isEqualTo(100);
    JsonNode route = ok(portal.as(admin, "GET", "/routes/orders", null), 200);
    assertThat(route.at("/plugins/rate-limit/groups/portal-orders-basic").asInt()).isEqualTo(100);

    // and lowers it again: the same key is held to the lower limit
    ok(portal.as(operator, "PATCH", "/portal/api/plans/basic", "{\"requests_per_minute\":1}"), 200);
    List<Integer> lowered = orders(key, 3);
    assertThat(lowered).as("%s", lowered).endsWith(429, 429);

    // auto_approve decides new subscriptions only
    ok(portal.as(operator, "PATCH", "/portal/api/plans/basic", "{\"auto_approve\":false}"), 200);
    String second =
        ok(portal.as(dev, "POST", "/portal/api/applications", "{\"name\":\"app two\"}"), 201)
            .get("id")
            .asText();
    assertThat(portal.subscribe(dev, second, "orders", "basic").get("state").asText())
        .isEqualTo("pending");

    // every change is in the audit log with what it changed; the refused ones are not applied
    JsonNode entries = ok(portal.as(admin, "GET", "/audit", null), 200).get("entries");
    List<String> actions = new ArrayList<>();
    entries.forEach(
        e -> {
          if (e.get("action").asText().startsWith("portal: update plan")
              && e.get("outcome").asText().equals("applied")) {
            actions.add(e.get("actor").asText() + " " + e.get("action").asText());
          }
        });
    assertThat(actions)
        .anyMatch(
            a ->
                a.startsWith("olga portal: update plan basic (")
                    && a.contains("requests_per_minute: 2 → 100")
                    && a.contains("description: \"to try\" → \"for shops\""))
        .anyMatch(a -> a.contains("requests_per_minute: 100 → 1"))
        .anyMatch(a -> a.contains("auto_approve: true → false"))
        .noneMatch(a -> a.contains("1000001") || a.contains("premium"));
  }

  @Test
  void raisingAPlansQuotaLetsTheSameKeyThroughAndDroppingItRemovesTheQuota() throws Exception {
    start(
        """
        quota:
          redis: redis://127.0.0.1:6379
          period: day
          on-failure: fail-closed
        """);
    PortalClient.Session operator = portal.signIn("olga");
    ok(portal.as(operator, "PUT", "/portal/api/apis/orders", "{\"title\":\"Orders\"}"), 200);
    ok(
        portal.as(
            operator,
            "POST",
            "/portal/api/plans",
            "{\"name\":\"trial\",\"requests_per_minute\":1000,\"quota\":2,\"auto_approve\":true}"),
        201);
    PortalClient.Session dev = portal.signIn("dev");
    String[] subscribed = subscribed(dev, "trial");
    String app = subscribed[0];
    String key = subscribed[1];
    awaitQuota(dev, app);
    assertThat(orders(key, 3)).containsExactly(200, 200, 429);

    // a period without a quota, or an unknown window, is refused as at creation
    problem(
        portal.as(
            operator,
            "PATCH",
            "/portal/api/plans/trial",
            "{\"quota\":0,\"quota_period\":\"hour\"}"),
        400,
        "portal-invalid");
    problem(
        portal.as(operator, "PATCH", "/portal/api/plans/trial", "{\"quota_window\":\"weekly\"}"),
        400,
        "portal-invalid");
    problem(
        portal.as(operator, "PATCH", "/portal/api/plans/trial", "{\"quota\":-1}"),
        400,
        "portal-invalid");

    // a higher quota in the same period: the calls counted so far stay, two more pass
    JsonNode raised =
        ok(portal.as(operator, "PATCH", "/portal/api/plans/trial", "{\"quota\":4}"), 200);
    assertThat(raised.get("quota").asLong()).isEqualTo(4);
    assertThat(raised.get("quota_period").asText()).isEqualTo("day");
    awaitQuota(dev, app);
    assertThat(orders(key, 3)).containsExactly(200, 200, 429);

    // another period and window: counted afresh, an hour's rolling window
    JsonNode changed =
        ok(
            portal.as(
                operator,
                "PATCH",
                "/portal/api/plans/trial",
                "{\"quota_period\":\"hour\",\"quota_window\":\"rolling\"}"),
            200);
    assertThat(changed.get("quota").asLong()).isEqualTo(4);
    assertThat(changed.get("quota_period").asText()).isEqualTo("hour");
    assertThat(changed.get("quota_window").asText()).isEqualTo("rolling");
    JsonNode group =
        ok(portal.as(admin, "GET", "/routes/orders", null), 200)
            .at("/plugins/quota/groups/portal-orders-trial");
    assertThat(group.get("limit").asLong()).isEqualTo(4);
    assertThat(group.get("period").asText()).isEqualTo("hour");
    assertThat(group.get("window").asText()).isEqualTo("rolling");
    awaitQuota(dev, app);
    assertThat(orders(key, 5)).containsExactly(200, 200, 200, 200, 429);

    // no quota: the plan's period and window go with it, the route keeps no quota plugin
    JsonNode none =
        ok(portal.as(operator, "PATCH", "/portal/api/plans/trial", "{\"quota\":null}"), 200);
    assertThat(none.has("quota")).isFalse();
    assertThat(none.has("quota_period")).isFalse();
    assertThat(ok(portal.as(admin, "GET", "/routes/orders", null), 200).at("/plugins").has("quota"))
        .isFalse();
    assertThat(orders(key, 3)).containsOnly(200);
  }
}
