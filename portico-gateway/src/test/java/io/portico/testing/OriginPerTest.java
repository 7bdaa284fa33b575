package io.portico.testing;

import io.portico.observe.ExchangeObserver;
import io.portico.spi.plugin.PluginFactory;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh {@link TestOrigin} for every test, and the gateways that the test starts in front of it,
 * all closed after the test. For test classes whose tests each start a gateway of their own config.
 * Registered as an instance field:
 *
 * <pre>{@code
 * @RegisterExtension final OriginPerTest env = new OriginPerTest();
 *
 * gw = env.start(yaml.formatted(env.origin().authority()));
 * }</pre>
 *
 * <p>Lifecycle and ownership: the origin starts before the class's {@code @BeforeEach} methods run
 * (they may use it); after the test and its {@code @AfterEach} methods, the gateways started
 * through {@link #start} are closed, newest first, and then the origin, all of them even when one
 * fails to close. A gateway that the test closes itself is closed again, which {@link
 * io.portico.app.Gateway#close()} allows.
 *
 * <p>Threading: JUnit calls it on the test's thread, and tests of one instance never overlap.
 */
public final class OriginPerTest implements BeforeEachCallback, AfterEachCallback {

  private TestOrigin origin;
  private final Deque<GatewayFixture> gateways = new ArrayDeque<>();

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    origin = TestOrigin.start();
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    AutoCloseable[] all = new AutoCloseable[gateways.size() + 1];
    int i = 0;
    for (GatewayFixture gw : gateways) {
      all[i++] = gw;
    }
    all[i] = origin;
    gateways.clear();
    origin = null;
    Cleanup.close(all);
  }

  /** The origin of the running test. */
  public TestOrigin origin() {
    if (origin == null) {
      throw new IllegalStateException("the origin runs only during a test");
    }
    return origin;
  }

  /** Starts a gateway from {@code yaml} ({@link GatewayFixture#start(String)}), closed after. */
  public GatewayFixture start(String yaml) throws Exception {
    return keep(GatewayFixture.start(yaml));
  }

  /** {@link GatewayFixture#start(String, Map)}: with {@code env} as its environment. */
  public GatewayFixture start(String yaml, Map<String, String> env) throws Exception {
    return keep(GatewayFixture.start(yaml, env));
  }

  /** {@link GatewayFixture#start(String, ExchangeObserver)}: reporting to {@code observer}. */
  public GatewayFixture start(String yaml, ExchangeObserver observer) throws Exception {
    return keep(GatewayFixture.start(yaml, observer));
  }

  /** {@link GatewayFixture#start(String, PluginFactory[])}: with {@code plugins} added. */
  public GatewayFixture start(String yaml, PluginFactory<?>... plugins) throws Exception {
    return keep(GatewayFixture.start(yaml, plugins));
  }

  private GatewayFixture keep(GatewayFixture gw) {
    gateways.push(gw);
    return gw;
  }
}
