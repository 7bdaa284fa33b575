package io.portico.ai;

import io.portico.config.AiTokensConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The prices of the {@code ai.prices} table: per provider and model at the provider, input and
 * output per million tokens; a provider's {@code *} entry prices its models without one of their
 * own. Immutable.
 */
final class PriceTable {

  static final PriceTable EMPTY = new PriceTable(List.of());

  private final Map<String, AiTokensConfig.Price> prices = new HashMap<>();

  PriceTable(List<AiTokensConfig.Price> list) {
    for (AiTokensConfig.Price p : list) {
      prices.put(p.provider() + "\n" + p.model(), p);
    }
  }

  /** The price of {@code model} at {@code provider}, or null. */
  AiTokensConfig.@Nullable Price price(String provider, String model) {
    AiTokensConfig.Price p = prices.get(provider + "\n" + model);
    return p != null ? p : prices.get(provider + "\n*");
  }

  /**
   * The cost of {@code usage} for {@code model} at {@code provider}, in the table's currency; -1
   * when the model has no price or the usage is unknown.
   */
  double cost(String provider, String model, Usage usage) {
    AiTokensConfig.Price p = price(provider, model);
    if (p == null || usage.promptTokens() < 0) {
      return -1;
    }
    long completion = Math.max(0, usage.completionTokens());
    return (usage.promptTokens() * p.input() + completion * p.output()) / 1_000_000.0;
  }
}
