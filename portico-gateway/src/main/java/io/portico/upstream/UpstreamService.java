package io.portico.upstream;

import io.portico.config.PoolConfig;
import io.portico.config.RetryConfig;
import io.portico.config.TimeoutsConfig;

/**
 * A service as the proxy uses it: where its endpoints come from, how one is picked, and the
 * settings of connections to it. Immutable apart from the source's endpoint list and the retry
 * budget's counters; shared by every event loop.
 */
public record UpstreamService(
    String name,
    EndpointSource source,
    Balancer balancer,
    TimeoutsConfig timeouts,
    PoolConfig pool,
    RetryConfig retry,
    RetryBudget retryBudget,
    String hostHeader) {

  /** Picks an endpoint for an attempt, avoiding {@code exclude} when possible; null when none. */
  public Endpoint pick(Endpoint exclude) {
    return balancer.pick(source.endpoints(), exclude);
  }
}
