package io.portico.ai;

import io.portico.spi.plugin.ExchangeKey;
import org.jspecify.annotations.Nullable;

/**
 * What one AI call did, set on the exchange under {@link #KEY} when it ends, for the log phase, the
 * access log and the metrics: the model the client named, the provider and model that answered, the
 * tokens and their cost, the time to the first streamed event.
 *
 * @param provider the provider that answered (or last tried), or null when none was tried
 * @param providerModel the model name at that provider, or null
 * @param usage the tokens: as the provider reported them or, when {@code estimated}, counted by the
 *     gateway's tokenizer
 * @param firstEventMillis from the request to the first event written to the client, or -1
 * @param attempts provider calls made, fallbacks and key changes included
 * @param estimated whether {@code usage} was counted by the gateway (the provider reported none, or
 *     the stream was cut before it did)
 * @param cost the call's cost from the price table, or -1 when the model has no price
 * @param answerMillis from the request to the end of the provider's answer, or -1
 */
public record AiUsage(
    String model,
    @Nullable String provider,
    @Nullable String providerModel,
    boolean stream,
    Usage usage,
    double firstEventMillis,
    int attempts,
    boolean estimated,
    double cost,
    double answerMillis) {

  public static final ExchangeKey<AiUsage> KEY = ExchangeKey.of("ai.usage");

  /** A record without token accounting. */
  public AiUsage(
      String model,
      @Nullable String provider,
      @Nullable String providerModel,
      boolean stream,
      Usage usage,
      double firstEventMillis,
      int attempts) {
    this(model, provider, providerModel, stream, usage, firstEventMillis, attempts, false, -1, -1);
  }

  /**
   * Completion tokens per second of generation: from the first streamed event to the end for a
   * stream, over the whole call otherwise; -1 when unknown.
   */
  public double tokensPerSecond() {
    long completion = usage.completionTokens();
    if (completion <= 0 || answerMillis <= 0) {
      return -1;
    }
    double millis =
        stream && firstEventMillis >= 0 ? answerMillis - firstEventMillis : answerMillis;
    return millis <= 0 ? -1 : completion * 1000.0 / millis;
  }
}
