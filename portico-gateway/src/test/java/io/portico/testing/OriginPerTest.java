package io.portico.testing;

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
 * through {@link #start} are closed, newest first, and then the origin ({@link OriginAndGateways}).
 * {@link OriginPerClass} is the same with one origin for all the tests of a class.
 *
 * <p>Threading: JUnit calls it on the test's thread, and tests of one instance never overlap.
 */
public final class OriginPerTest extends OriginAndGateways
    implements BeforeEachCallback, AfterEachCallback {

  public OriginPerTest() {
    super("during a test");
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    startOrigin();
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    closeAll();
  }
}
