package io.portico.plugin;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import io.portico.spi.plugin.Reply;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A test plugin whose ACCESS phase completes on another thread after a delay: it answers 403 when
 * the request carries {@code X-Deny}, else lets it pass and records, in the RESPONSE phase, whether
 * the exchange resumed on its event loop ({@code X-Resumed-On-Loop}).
 */
public final class TestAsyncPluginFactory implements PluginFactory<Long> {

  @Override
  public String name() {
    return "test-async";
  }

  @Override
  public int priority() {
    return 1500;
  }

  @Override
  public Long parse(ConfigReader config) {
    return config.longValue("delay-ms", 50, 0, 10_000);
  }

  @Override
  public Plugin create(Long delayMs, PluginContext context) {
    return new Plugin() {
      @Override
      public Set<Phase> phases() {
        return Set.of(Phase.ACCESS, Phase.RESPONSE);
      }

      @Override
      public Outcome access(Exchange exchange) {
        boolean deny = exchange.request().headers().contains("x-deny");
        CompletableFuture<Outcome> later =
            CompletableFuture.supplyAsync(
                () ->
                    deny
                        ? Reply.problem(
                            HttpResponseStatus.FORBIDDEN, "test-denied", "Forbidden", "denied")
                        : Outcome.proceed(),
                CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS));
        return Outcome.await(later);
      }

      @Override
      public void response(Exchange exchange) {
        exchange.response().headers().set("x-resumed-on-loop", exchange.eventLoop().inEventLoop());
      }
    };
  }
}
