package io.portico.ai;

import io.portico.spi.plugin.ExchangeKey;
import org.jspecify.annotations.Nullable;

/**
 * What one AI call did, set on the exchange under {@link #KEY} when it ends, for the log phase and
 * the access log: the model the client named, the provider and model that answered, the usage the
 * provider reported and the time to the first streamed event.
 *
 * @param provider the provider that answered (or last tried), or null when none was tried
 * @param providerModel the model name at that provider, or null
 * @param firstEventMillis from the request to the first event written to the client, or -1
 * @param attempts provider calls made, fallbacks and key changes included
 */
public record AiUsage(
    String model,
    @Nullable String provider,
    @Nullable String providerModel,
    boolean stream,
    Usage usage,
    double firstEventMillis,
    int attempts) {

  public static final ExchangeKey<AiUsage> KEY = ExchangeKey.of("ai.usage");
}
