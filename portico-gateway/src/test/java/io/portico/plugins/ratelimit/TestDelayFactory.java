package io.portico.plugins.ratelimit;

import io.portico.spi.config.ConfigReader;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code test-delay}: holds each request in ACCESS for the milliseconds of its {@code X-Delay}
 * header, so tests can keep requests in flight.
 */
public final class TestDelayFactory implements PluginFactory<Boolean> {

  @Override
  public String name() {
    return "test-delay";
  }

  @Override
  public int priority() {
    return 500;
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
        String delay = exchange.request().headers().get("X-Delay");
        if (delay == null) {
          return Outcome.proceed();
        }
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        exchange
            .eventLoop()
            .schedule(
                () -> done.complete(Outcome.proceed()),
                Long.parseLong(delay),
                TimeUnit.MILLISECONDS);
        return Outcome.await(done);
      }
    };
  }
}
