package io.portico.plugins.ratelimit;

import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Identity;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.testing.OnePhasePlugin;
import java.util.Map;
import java.util.Set;

/**
 * {@code test-identity}: a stand-in for an authentication plugin. Sets {@link Identity#KEY} from
 * the {@code X-Test-Consumer} and {@code X-Test-Groups} (comma-separated) request headers.
 */
public final class TestIdentityFactory extends OnePhasePlugin {

  public TestIdentityFactory() {
    super("test-identity", 2000, Phase.ACCESS, TestIdentityFactory::identify, exchange -> {});
  }

  private static Outcome identify(Exchange exchange) {
    String consumer = exchange.request().headers().get("X-Test-Consumer");
    if (consumer != null) {
      String groups = exchange.request().headers().get("X-Test-Groups", "");
      exchange.set(
          Identity.KEY,
          new Identity(
              consumer,
              null,
              consumer + "-key",
              groups.isEmpty() ? Set.of() : Set.of(groups.split(",")),
              "test-identity",
              false,
              Map.of()));
    }
    return Outcome.proceed();
  }
}
