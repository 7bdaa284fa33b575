package io.portico.spi.plugin;

import java.util.Locale;

/**
 * What a limiting plugin decided for an exchange, kept on it under {@link #KEY} for the gateway's
 * metrics ({@code portico_rate_limit_decisions_total}). A plugin records its decision with {@link
 * #record}; when several limiters run, the first decision other than {@link #ALLOWED} is kept, so a
 * refusal or a failure is never hidden by a later limiter that allowed.
 */
public enum LimitDecision {
  /** Counted, and within every limit. */
  ALLOWED,
  /** Over a limit: refused. */
  LIMITED,
  /** The shared counter (Redis) could not be reached; let through uncounted. */
  FAILED_OPEN,
  /** The shared counter could not be reached; refused. */
  FAILED_CLOSED,
  /** The shared counter could not be reached; counted in this instance only. */
  LOCAL_FALLBACK;

  /** Where the decision is kept on the exchange. */
  public static final ExchangeKey<LimitDecision> KEY = ExchangeKey.of("limit-decision");

  private final String label = name().toLowerCase(Locale.ROOT).replace('_', '-');

  /** The decision as a metric label: {@code allowed}, {@code failed-open}, … */
  public String label() {
    return label;
  }

  /** Records {@code decision} on {@code exchange} unless an earlier limiter decided otherwise. */
  public static void record(Exchange exchange, LimitDecision decision) {
    LimitDecision earlier = exchange.get(KEY);
    if (earlier == null || earlier == ALLOWED) {
      exchange.set(KEY, decision);
    }
  }
}
