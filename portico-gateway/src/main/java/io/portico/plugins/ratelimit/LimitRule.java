package io.portico.plugins.ratelimit;

/**
 * One limit of a {@code rate-limit} plugin: at most {@code limit} units of cost per {@code
 * windowMillis}, counted with {@code algorithm}.
 *
 * @param name the policy name shown in the {@code RateLimit} headers and used in storage keys
 * @param burst the token bucket's capacity (equal to {@code limit} unless configured)
 */
public record LimitRule(
    String name, long limit, long windowMillis, Algorithm algorithm, long burst) {

  /** This rule with its limit and burst multiplied (consumer group tiers). */
  LimitRule times(double factor) {
    return new LimitRule(
        name,
        Math.max(1, Math.round(limit * factor)),
        windowMillis,
        algorithm,
        Math.max(1, Math.round(burst * factor)));
  }
}
