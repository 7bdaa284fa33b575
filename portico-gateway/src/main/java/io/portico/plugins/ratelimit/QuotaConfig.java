package io.portico.plugins.ratelimit;

import java.time.ZoneId;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The config of {@code quota}.
 *
 * @param name the quota's name, in storage keys and on the admin API
 * @param limit the allowance per period for callers in none of {@code groupLimits}' groups
 * @param monthly whether the period is a calendar month (else a calendar day)
 * @param zone the time zone the calendar periods follow
 * @param perGroup whether the allowance is shared by a group's consumers (else one per consumer)
 * @param groupLimits per consumer group, its allowance (the largest of the caller's groups wins)
 * @param cost the fixed cost of a request
 * @param costHeader a request header carrying the cost, or null
 * @param redis where the counters live
 * @param status the status of a refusal
 */
public record QuotaConfig(
    String name,
    long limit,
    boolean monthly,
    ZoneId zone,
    boolean perGroup,
    Map<String, Long> groupLimits,
    long cost,
    @Nullable String costHeader,
    RedisSettings redis,
    int status) {

  public QuotaConfig {
    groupLimits = Map.copyOf(groupLimits);
  }
}
