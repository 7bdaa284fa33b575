package io.portico.plugins.ratelimit;

import io.portico.spi.config.ConfigReader;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Identity;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import java.util.Map;
import java.util.Set;

/**
 * {@code test-identity}: a stand-in for an authentication plugin. Sets {@link Identity#KEY} from
 * the {@code X-Test-Consumer} and {@code X-Test-Groups} (comma-separated) request headers.
 */
public final class TestIdentityFactory implements PluginFactory<Boolean> {

  @Override
  public String name() {
    return "test-identity";
  }

  @Override
  public int priority() {
    return 2000;
  }

  @Override
  public Boolean parse(ConfigReader config) {
    config.finish();
    return Boolean.TRUE;
  }

  @Override
  public Plugin create(Boolean config, PluginContext context) {
    return new Plugin() {
      @Override
      public Set<Phase> phases() {
        return Set.of(Phase.ACCESS);
      }

      @Override
      public Outcome access(Exchange exchange) {
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
    };
  }
}
