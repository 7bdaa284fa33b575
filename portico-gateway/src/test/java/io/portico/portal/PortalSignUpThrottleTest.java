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
      assertThat(signUp(portal, "dev" + i, PASSWORD).statusCode()).isEqualTo(201);
    }
    // refused tries count too: a script cannot probe names or passwords without end
    assertThat(signUp(portal, "dev0", PASSWORD).statusCode()).isEqualTo(409);
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
