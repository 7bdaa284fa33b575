package io.portico.plugins.ratelimit;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The config of {@code rate-limit}.
 *
 * @param name the policy's name: in the {@code RateLimit} headers and the Redis keys (instances
 *     that share a name and key share their counts)
 * @param rules the limits, all enforced at once
 * @param key what the limits count by
 * @param missingKeyUsesIp whether a request without a value for the key is counted by client IP
 *     (true) or refused (false)
 * @param groupFactors per consumer group, the factor applied to every limit (the largest factor of
 *     the caller's groups wins)
 * @param cost the fixed cost of a request
 * @param costHeader a request header carrying the cost, or null
 * @param costResponseHeader a response header carrying the cost, counted after the response; or
 *     null
 * @param redis where to count when the policy is {@code redis}; null for {@code local}
 * @param maxKeys the most keys the local store keeps
 * @param status the status of a refusal
 */
public record RateLimitConfig(
    String name,
    List<LimitRule> rules,
    KeySpec key,
    boolean missingKeyUsesIp,
    Map<String, Double> groupFactors,
    long cost,
    @Nullable String costHeader,
    @Nullable String costResponseHeader,
    @Nullable RedisSettings redis,
    int maxKeys,
    int status,
    Headers headers) {

  public RateLimitConfig {
    rules = List.copyOf(rules);
    groupFactors = Map.copyOf(groupFactors);
  }

  /** Which rate-limit headers the client sees. */
  public record Headers(boolean ietf, boolean legacy, boolean retryAfter) {}
}
