package io.portico.config;

import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Token accounting of the top-level {@code ai} section: how requests are estimated before a call,
 * the token rate limits and quotas they are checked against, and the price table their cost is
 * computed from.
 *
 * @param completionEstimate completion tokens assumed before a call when the request sets no {@code
 *     max_tokens} (or {@code max_completion_tokens})
 * @param limits token rate limits, each checked for every request of the models it covers
 * @param quotas token quotas per calendar day or month
 * @param prices input and output prices per provider and model
 */
public record AiTokensConfig(
    long completionEstimate, List<Limit> limits, List<Quota> quotas, List<Price> prices) {

  public static final long DEFAULT_COMPLETION_ESTIMATE = 256;
  public static final AiTokensConfig NONE =
      new AiTokensConfig(DEFAULT_COMPLETION_ESTIMATE, List.of(), List.of(), List.of());

  public AiTokensConfig {
    limits = List.copyOf(limits);
    quotas = List.copyOf(quotas);
    prices = List.copyOf(prices);
  }

  /** What a limit counts by; several parts make one key. */
  public enum KeyPart {
    /** The caller's consumer ({@code (none)} for callers without one, who share one count). */
    CONSUMER,
    /** The first of the caller's consumer groups ({@code (none)} without one). */
    GROUP,
    /** The model the client named. */
    MODEL,
    /** The route. */
    ROUTE,
    /** One count for every request. */
    GLOBAL
  }

  /** Where a limit or quota is shared through Redis. */
  public record Redis(String url, String prefix, Duration timeout, String onFailure) {}

  /**
   * One token rate limit.
   *
   * @param name names the limit in storage keys and headers
   * @param key what is counted separately
   * @param windows the token budgets, each per its window
   * @param models the models it covers; empty for every model
   * @param redis where it is shared across instances, or null to count in this instance
   * @param maxKeys the most keys a local limit remembers
   */
  public record Limit(
      String name,
      List<KeyPart> key,
      List<Window> windows,
      List<String> models,
      @Nullable Redis redis,
      int maxKeys) {
    public Limit {
      key = List.copyOf(key);
      windows = List.copyOf(windows);
      models = List.copyOf(models);
    }
  }

  /** At most {@code tokens} per {@code window}. */
  public record Window(String name, long tokens, Duration window) {}

  /**
   * One token quota, always counted in Redis.
   *
   * @param perGroup whether the allowance is shared by a group (else one per consumer)
   * @param groupLimits per group, its allowance (the largest of the caller's groups wins)
   */
  public record Quota(
      String name,
      long limit,
      boolean monthly,
      ZoneId zone,
      boolean perGroup,
      Map<String, Long> groupLimits,
      List<String> models,
      Redis redis) {
    public Quota {
      groupLimits = Map.copyOf(groupLimits);
      models = List.copyOf(models);
    }
  }

  /**
   * The price of a provider's model, per million tokens.
   *
   * @param model the model name at the provider, or {@code *} for every model of the provider
   */
  public record Price(String provider, String model, double input, double output) {}
}
