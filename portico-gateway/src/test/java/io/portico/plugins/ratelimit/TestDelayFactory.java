package io.portico.plugins.ratelimit;

import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.testing.OnePhasePlugin;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code test-delay}: holds each request in ACCESS for the milliseconds of its {@code X-Delay}
 * header, so tests can keep requests in flight.
 */
public final class TestDelayFactory extends OnePhasePlugin {

  public TestDelayFactory() {
    super("test-delay", 500, Phase.ACCESS, TestDelayFactory::hold, exchange -> {});
  }

  private static Outcome hold(Exchange exchange) {
    String delay = exchange.request().headers().get("X-Delay");
    if (delay == null) {
      return Outcome.proceed();
    }
    CompletableFuture<Outcome> done = new CompletableFuture<>();
    exchange
        .eventLoop()
        .schedule(
            () -> done.complete(Outcome.proceed()), Long.parseLong(delay), TimeUnit.MILLISECONDS);
    return Outcome.await(done);
  }
}
