package io.portico.portal;

import static io.portico.portal.PortalClient.ok;
import static io.portico.portal.PortalClient.problem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.portico.testing.GatewayFixture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Deprecating a plan through the portal's API against a running gateway and a real origin: the
 * catalogue marks it, new subscriptions under it are refused with 409 naming it and the plans that
 * still take subscriptions, while the subscriptions and keys it has keep working; restoring it
 * takes subscriptions again. Only operators and admins may deprecate; each change is audited.
 */
class PortalPlanDeprecationTest {

  @RegisterExtension final OrdersPortal env = new OrdersPortal();
  private GatewayFixture gw;
  private PortalClient portal;
  private PortalClient.Session admin;

  @BeforeEach
  void start() throws Exception {
    env.start("sign-up: false", "vera", "viewer", "dev", "developer");
    gw = env.gateway();
    portal = env.portal();
    admin = env.admin();
    ok(portal.as(admin, "PUT", "/portal/api/apis/orders", "{\"title\":\"Orders\"}"), 200);
    for (String plan : List.of("legacy", "basic", "pro")) {
      ok(
          portal.as(
              admin,
              "POST",
              "/portal/api/plans",
              "{\"name\":\"" + plan + "\",\"requests_per_minute\":100,\"auto_approve\":true}"),
          201);
    }
  }

  private String application(PortalClient.Session dev, String name) throws Exception {
    return ok(
            portal.as(dev, "POST", "/portal/api/applications", "{\"name\":\"" + name + "\"}"), 201)
        .get("id")
        .asText();
  }

  private HttpResponse<String> subscribe(PortalClient.Session dev, String app, String plan)
      throws Exception {
    return portal.as(
        dev,
        "POST",
        "/portal/api/applications/" + app + "/subscriptions",
        "{\"api\":\"orders\",\"plan\":\"" + plan + "\"}");
  }

  private JsonNode plan(String name) throws Exception {
    for (JsonNode p : ok(portal.as(admin, "GET", "/portal/api/plans", null), 200).get("plans")) {
      if (p.get("name").asText().equals(name)) {
        return p;
      }
    }
    throw new AssertionError("no plan " + name);
  }

  @Test
  void aDeprecatedPlanRefusesNewSubscriptionsNamingTheOthersWhileItsKeysKeepWorking()
      throws Exception {
    PortalClient.Session dev = portal.signIn("dev");
    String shop = application(dev, "shop");
    ok(subscribe(dev, shop, "legacy"), 201);
    String key = portal.key(dev, shop);
    assertThat(plan("legacy").get("deprecated").asBoolean()).isFalse();
    String etag = plan("legacy").get("etag").asText();

    // a viewer and a developer may not deprecate; a bad value is refused and changes nothing
    problem(
        portal.as(
            portal.signIn("vera"), "PATCH", "/portal/api/plans/legacy", "{\"deprecated\":true}"),
        403,
        "");
    problem(portal.as(dev, "PATCH", "/portal/api/plans/legacy", "{\"deprecated\":true}"), 403, "");
    JsonNode bad =
        problem(
            portal.as(admin, "PATCH", "/portal/api/plans/legacy", "{\"deprecated\":\"yes\"}"),
            400,
            "portal-invalid");
    assertThat(bad.get("detail").asText())
        .isEqualTo("deprecated: \"yes\" (expected: true or false).");
    assertThat(plan("legacy").get("deprecated").asBoolean()).isFalse();

    JsonNode deprecated =
        ok(portal.as(admin, "PATCH", "/portal/api/plans/legacy", "{\"deprecated\":true}"), 200);
    assertThat(deprecated.get("deprecated").asBoolean()).isTrue();
    assertThat(deprecated.get("etag").asText()).isNotEqualTo(etag);
    JsonNode catalogue = ok(portal.as(dev, "GET", "/portal/api/plans", null), 200);
    List<String> marked = new ArrayList<>();
    catalogue
        .get("plans")
        .forEach(p -> marked.add(p.get("name").asText() + "=" + p.get("deprecated").asBoolean()));
    assertThat(marked).containsExactlyInAnyOrder("legacy=true", "basic=false", "pro=false");

    // a new subscription under it is refused, naming it and the plans that take subscriptions
    String web = application(dev, "web");
    JsonNode refused = problem(subscribe(dev, web, "legacy"), 409, "portal-plan-deprecated");
    assertThat(refused.get("detail").asText())
        .isEqualTo(
            "The plan legacy is deprecated: it takes no new subscriptions (those it has keep"
                + " working). Subscribe under one of the plans basic, pro instead.");
    // the subscription and key it has keep working
    assertThat(
            gw.send(HttpRequest.newBuilder(gw.uri("/hello")).header("apikey", key).GET())
                .statusCode())
        .isEqualTo(200);
    assertThat(
            ok(portal.as(dev, "GET", "/portal/api/applications/" + shop, null), 200)
                .at("/subscriptions/0/state")
                .asText())
        .isEqualTo("approved");
    ok(subscribe(dev, web, "basic"), 201);

    // with every plan deprecated, the refusal says no plan takes subscriptions
    ok(portal.as(admin, "PATCH", "/portal/api/plans/basic", "{\"deprecated\":true}"), 200);
    ok(portal.as(admin, "PATCH", "/portal/api/plans/pro", "{\"deprecated\":true}"), 200);
    String third = application(dev, "third");
    assertThat(
            problem(subscribe(dev, third, "pro"), 409, "portal-plan-deprecated")
                .get("detail")
                .asText())
        .endsWith("No plan takes new subscriptions now; ask an operator.");

    // restored, it takes subscriptions again
    JsonNode restored =
        ok(portal.as(admin, "PATCH", "/portal/api/plans/legacy", "{\"deprecated\":false}"), 200);
    assertThat(restored.get("deprecated").asBoolean()).isFalse();
    assertThat(restored.get("etag").asText()).isEqualTo(etag);
    ok(subscribe(dev, third, "legacy"), 201);

    List<String> audit = new ArrayList<>();
    ok(portal.as(admin, "GET", "/audit", null), 200)
        .get("entries")
        .forEach(
            e -> {
              if (e.get("action").asText().startsWith("portal: update plan legacy")
                  && e.get("outcome").asText().equals("applied")) {
                audit.add(e.get("action").asText());
              }
            });
    assertThat(audit)
        .containsOnly(
            "portal: update plan legacy (deprecated: false → true)",
            "portal: update plan legacy (deprecated: true → false)");
  }
}
