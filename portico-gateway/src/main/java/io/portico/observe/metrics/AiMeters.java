package io.portico.observe.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.portico.observe.ExchangeRecord;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The AI gateway's meters per provider and model at the provider (both from the config, so the
 * series are bounded): tokens by type, cost, requests whose tokens were estimated, time to the
 * first streamed token and completion tokens per second.
 *
 * <p>Thread-safe: the meters of a provider and model are made once, on their first call, and
 * recorded into lock-free from every event loop.
 */
final class AiMeters {

  /** Time to first token: 50 ms to 30 s. */
  private static final java.time.Duration[] FIRST_TOKEN = {
    java.time.Duration.ofMillis(50),
    java.time.Duration.ofMillis(100),
    java.time.Duration.ofMillis(250),
    java.time.Duration.ofMillis(500),
    java.time.Duration.ofSeconds(1),
    java.time.Duration.ofMillis(2_500),
    java.time.Duration.ofSeconds(5),
    java.time.Duration.ofSeconds(10),
    java.time.Duration.ofSeconds(30)
  };

  /** Completion tokens per second: 1 to 1,000. */
  private static final double[] RATE = {1, 5, 10, 25, 50, 100, 250, 500, 1000};

  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Meters> byModel = new ConcurrentHashMap<>();

  AiMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  void record(ExchangeRecord.Ai ai) {
    String provider = ai.provider();
    String model = ai.providerModel();
    if (provider == null || model == null) {
      return;
    }
    Meters m = byModel.get(provider + '\n' + model);
    if (m == null) {
      m =
          byModel.computeIfAbsent(
              provider + '\n' + model, k -> new Meters(registry, provider, model));
    }
    if (ai.promptTokens() > 0) {
      m.prompt.increment(ai.promptTokens());
    }
    if (ai.completionTokens() > 0) {
      m.completion.increment(ai.completionTokens());
    }
    if (ai.estimated()) {
      m.estimated.increment();
    }
    if (ai.cost() > 0) {
      m.cost.increment(ai.cost());
    }
    if (ai.firstTokenMillis() >= 0) {
      m.firstToken.record((long) (ai.firstTokenMillis() * 1e6), TimeUnit.NANOSECONDS);
    }
    if (ai.tokensPerSecond() >= 0) {
      m.rate.record(ai.tokensPerSecond());
    }
  }

  private static final class Meters {
    final Counter prompt;
    final Counter completion;
    final Counter estimated;
    final Counter cost;
    final Timer firstToken;
    final DistributionSummary rate;

    Meters(MeterRegistry registry, String provider, String model) {
      prompt = tokens(registry, provider, model, "prompt");
      completion = tokens(registry, provider, model, "completion");
      estimated =
          Counter.builder("portico.ai.estimated.requests")
              .description(
                  "AI calls whose tokens the gateway counted itself (no usage from the provider,"
                      + " or a cut stream)")
              .tags("provider", provider, "model", model)
              .register(registry);
      cost =
          Counter.builder("portico.ai.cost")
              .description("Cost of AI calls from the ai.prices table, in its currency")
              .tags("provider", provider, "model", model)
              .register(registry);
      firstToken =
          Timer.builder("portico.ai.time.to.first.token")
              .description("Time from the request to the first event of a streamed AI answer")
              .tags("provider", provider, "model", model)
              .serviceLevelObjectives(FIRST_TOKEN)
              .register(registry);
      rate =
          DistributionSummary.builder("portico.ai.tokens.per.second")
              .description("Completion tokens per second of generation")
              .tags("provider", provider, "model", model)
              .serviceLevelObjectives(RATE)
              .register(registry);
    }

    private static Counter tokens(
        MeterRegistry registry, String provider, String model, String type) {
      return Counter.builder("portico.ai.tokens")
          .description("Tokens of AI calls by provider, model and type (prompt, completion)")
          .tags("provider", provider, "model", model, "type", type)
          .register(registry);
    }
  }
}
