package io.portico.portal;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.GatewayFixture;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Self-service sign-up through the admin listener of a running gateway: one address may try ten
 * times an hour, accepted or refused, then gets {@code 429} with {@code Retry-After} and no account
 * is made.
 */
class PortalSignUpThrottleTest {

  private static final String PASSWORD = PortalClient.PASSWORD;

  private GatewayFixture gw;

  @AfterEach
  void stop() throws Exception {
    if (gw != null) {
      gw.close();
    }
  }

  @Test
  void anAddressGetsTenTriesAnHourThen429AndNoAccount() throws Exception {
    gw =
        GatewayFixture.start(
            """
            admin:
              address: 127.0.0.1:0
            portal:
              sign-up: true
            """,
            Map.of("PORTICO_ADMIN_PASSWORD", PASSWORD));
    PortalClient portal = new PortalClient(gw::adminUri);
    for (int i = 0; i < 8; i++) {
      assertThat(signUp(portal, "dev" + i, PASSWORD).statusCode()).isEqualTo(202);
    }
    // refused tries count too: a script cannot probe names or passwords without end
    assertThat(signUp(portal, "dev0", PASSWORD).statusCode()).isEqualTo(202);
    assertThat(signUp(portal, "shorty", "short").statusCode()).isEqualTo(400);

    HttpResponse<String> refused = signUp(portal, "late", PASSWORD);
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(refused.body()).contains("sign-up-throttled");
    long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
    assertThat(retryAfter).isBetween(3000L, 3600L);
    assertThat(portal.call("POST", "/auth/sign-in", credentials("late", PASSWORD)).statusCode())
        .isEqualTo(401);
    // the accounts made before still sign in
    assertThat(portal.call("POST", "/auth/sign-in", credentials("dev7", PASSWORD)).statusCode())
        .isEqualTo(200);
  }

  @Test
  void aTakenNameAnswersLikeAFreeOneAndTheAccountIsUntouched() throws Exception {
    gw =
        GatewayFixture.start(
            """
            admin:
              address: 127.0.0.1:0
            portal:
              sign-up: true
            """,
            Map.of("PORTICO_ADMIN_PASSWORD", PASSWORD));
    PortalClient portal = new PortalClient(gw::adminUri);
    HttpResponse<String> fresh = signUp(portal, "alice", PASSWORD);
    String other = PASSWORD + "-other";
    HttpResponse<String> taken = signUp(portal, "alice", other);
    HttpResponse<String> admin = signUp(portal, "admin", other);
    assertThat(fresh.statusCode()).isEqualTo(202);
    for (HttpResponse<String> r : java.util.List.of(taken, admin)) {
      assertThat(r.statusCode()).isEqualTo(fresh.statusCode());
      assertThat(r.headers().firstValue("Content-Type"))
          .isEqualTo(fresh.headers().firstValue("Content-Type"));
    }
    assertThat(taken.body()).isEqualTo(fresh.body());
    assertThat(admin.body()).isEqualTo(fresh.body().replace("alice", "admin"));
    assertThat(taken.body()).doesNotContain("exists").doesNotContain("taken\"");
    // the accounts keep their passwords: the second sign-up changed nothing
    assertThat(portal.call("POST", "/auth/sign-in", credentials("alice", other)).statusCode())
        .isEqualTo(401);
    assertThat(portal.call("POST", "/auth/sign-in", credentials("admin", other)).statusCode())
        .isEqualTo(401);
    assertThat(portal.call("POST", "/auth/sign-in", credentials("alice", PASSWORD)).statusCode())
        .isEqualTo(200);
    assertThat(portal.call("POST", "/auth/sign-in", credentials("admin", PASSWORD)).statusCode())
        .isEqualTo(200);
  }

  private static HttpResponse<String> signUp(PortalClient portal, String name, String password)
      throws Exception {
    return portal.call("POST", "/portal/api/sign-up", credentials(name, password));
  }

  private static String credentials(String name, String password) {
    return PortalClient.JSON
        .createObjectNode()
        .put("name", name)
        .put("password", password)
        .toString();
  }
}
