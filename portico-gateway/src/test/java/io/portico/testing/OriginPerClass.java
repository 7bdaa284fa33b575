package io.portico.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link TestOrigin} for all the tests of a class, and the gateways that the class starts in
 * front of it, all closed after the class. For test classes whose tests share one gateway, started
 * in their {@code @BeforeAll}. Registered as a static field:
 *
 * <pre>{@code
 * @RegisterExtension static final OriginPerClass env = new OriginPerClass();
 * private static GatewayFixture gw;
 *
 * @BeforeAll
 * static void start() throws Exception {
 *   gw = env.start(GatewayFixture.proxyAllTo(env.origin().authority()));
 * }
 * }</pre>
 *
 * <p>Lifecycle and ownership: the origin starts before the class's {@code @BeforeAll} methods run
 * (they may use it); after the class's {@code @AfterAll} methods, the gateways started through
 * {@link #start} are closed, newest first, and then the origin ({@link OriginAndGateways}), also
 * when a gateway failed to start. {@link OriginPerTest} is the same with a fresh origin for every
 * test.
 *
 * <p>Threading: JUnit calls it on the test thread; the class's tests share the origin and its
 * counters, so they assert on what their own requests did.
 */
public final class OriginPerClass extends OriginAndGateways
    implements BeforeAllCallback, AfterAllCallback {

  public OriginPerClass() {
    super("while the class's tests run");
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    startOrigin();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    closeAll();
  }
}
