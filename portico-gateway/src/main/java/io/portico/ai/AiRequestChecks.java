package io.portico.ai;

import io.portico.spi.plugin.ExchangeKey;
import org.jspecify.annotations.Nullable;

/**
 * What a route's guard and cache did to one AI request, set on the exchange under {@link #KEY} for
 * the log phase: how many values were masked (counts only, never the values) and the cache status.
 *
 * @param masking whether the route's guard looked for values to mask in this request
 * @param cache {@code HIT}, {@code MISS} or {@code BYPASS}, or null for a route without a cache
 */
public record AiRequestChecks(
    boolean masking, int maskedEmails, int maskedCards, @Nullable String cache) {

  public static final ExchangeKey<AiRequestChecks> KEY = ExchangeKey.of("ai.checks");

  /** How many values were masked: 0 when the guard found none, -1 when it did not look. */
  public int masked() {
    return masking ? maskedEmails + maskedCards : -1;
  }
}
