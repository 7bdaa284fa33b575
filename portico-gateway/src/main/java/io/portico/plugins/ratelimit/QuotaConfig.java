package io.portico.plugins.ratelimit;

import io.portico.spi.config.CalendarQuota.Tier;
import java.time.ZoneId;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The config of {@code quota}.
 *
 * @param name the quota's name, in storage keys and on the admin API
 * @param tier the allowance and period of callers in none of {@code groupTiers}' groups
 * @param zone the time zone the calendar periods follow
 * @param perGroup whether the allowance is shared by a group's consumers (else one per consumer)
 * @param groupTiers per consumer group, its allowance and period (the largest allowance of the
 *     caller's groups wins)
 * @param cost the fixed cost of a request
 * @param costHeader a request header carrying the cost, or null
 * @param redis where the counters live
 * @param status the status of a refusal
 */
public record QuotaConfig(
    String name,
    Tier tier,
    ZoneId zone,
    boolean perGroup,
    Map<String, Tier> groupTiers,
    long cost,
    @Nullable String costHeader,
    RedisSettings redis,
    int status) {

  public QuotaConfig {
    groupTiers = Map.copyOf(groupTiers);
  }
}
