package io.portico.portal;

import static io.portico.portal.PortalClient.PASSWORD;

import io.portico.testing.Cleanup;
import io.portico.testing.GatewayFixture;
import io.portico.testing.TestOrigin;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A portal for one test: a real origin, a gateway in front of it with the admin listener, a portal
 * configured by the test and one route, {@code orders} on {@code /hello} (service {@code backend}),
 * a {@link PortalClient} of its admin listener, the built-in admin signed in, and the accounts the
 * test asks for. Registered as an instance field and started by each test (or its
 * {@code @BeforeEach}), so that each test chooses its portal section:
 *
 * <pre>{@code
 * @RegisterExtension final OrdersPortal env = new OrdersPortal();
 *
 * env.start("sign-up: false", "olga", "operator");
 * }</pre>
 *
 * <p>Ownership: the gateway and the origin are closed after the test (after its {@code @AfterEach}
 * methods), both even when one fails to close. Threading: the test's thread only.
 */
final class OrdersPortal implements AfterEachCallback {

  private TestOrigin origin;
  private GatewayFixture gw;
  private PortalClient portal;
  private PortalClient.Session admin;

  /**
   * Starts it all. {@code portalSection} is the text under {@code portal:}, written from column 0;
   * {@code accounts} are pairs of name and role, each made by the admin with {@link
   * PortalClient#PASSWORD}.
   */
  void start(String portalSection, String... accounts) throws Exception {
    if (accounts.length % 2 != 0) {
      throw new IllegalArgumentException("accounts are pairs of name and role");
    }
    origin = TestOrigin.start();
    gw =
        GatewayFixture.start(
            """
            admin:
              address: 127.0.0.1:0
            portal:
            %s
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: orders
                paths: [ "/hello" ]
                service: backend
            """
                .formatted(portalSection.indent(2).stripTrailing(), origin.authority()),
            Map.of("PORTICO_ADMIN_PASSWORD", PASSWORD));
    portal = new PortalClient(gw::adminUri);
    admin = portal.signIn("admin");
    for (int i = 0; i < accounts.length; i += 2) {
      portal.account(admin, accounts[i], accounts[i + 1]);
    }
  }

  GatewayFixture gateway() {
    return gw;
  }

  PortalClient portal() {
    return portal;
  }

  /** The built-in admin's session. */
  PortalClient.Session admin() {
    return admin;
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    try {
      Cleanup.close(gw, origin);
    } finally {
      gw = null;
      origin = null;
    }
  }
}
