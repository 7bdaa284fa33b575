package io.portico.upstream;

import io.portico.config.PoolConfig;
import io.portico.config.RetryConfig;
import io.portico.config.TimeoutsConfig;
import io.portico.config.UpstreamProtocolConfig;
import io.portico.upstream.tls.UpstreamTls;
import org.jspecify.annotations.Nullable;

/**
 * A service as the proxy uses it: where its endpoints come from, how one is picked, and the
 * settings of connections to it. Immutable apart from the source's endpoint list and the retry
 * budget's counters; shared by every event loop.
 *
 * <p>Per attempt the caller {@link #pick}s an endpoint and, when the attempt has ended, {@link
 * #report}s how it went.
 *
 * @param tls TLS to the endpoints, or null for plain HTTP
 * @param hashKey what the balancer hashes per request, or null when it does not hash
 * @param health which endpoints may be picked now ({@link EndpointHealth#ALL} for every one)
 * @param gate the service's circuit breaker ({@link CallGate#OPEN} when it has none)
 * @param protocol HTTP/1.1 or HTTP/2 to the endpoints ({@link UpstreamPools#leasePool} picks the
 *     pool by it)
 */
public record UpstreamService(
    String name,
    EndpointSource source,
    Balancer balancer,
    TimeoutsConfig timeouts,
    PoolConfig pool,
    RetryConfig retry,
    RetryBudget retryBudget,
    @Nullable String hostHeader,
    @Nullable UpstreamTls tls,
    @Nullable HashKey hashKey,
    EndpointHealth health,
    CallGate gate,
    UpstreamProtocolConfig protocol) {

  /** A plain-HTTP/1.1 service with every endpoint available and no circuit breaker. */
  public UpstreamService(
      String name,
      EndpointSource source,
      Balancer balancer,
      TimeoutsConfig timeouts,
      PoolConfig pool,
      RetryConfig retry,
      RetryBudget retryBudget,
      @Nullable String hostHeader) {
    this(
        name,
        source,
        balancer,
        timeouts,
        pool,
        retry,
        retryBudget,
        hostHeader,
        null,
        null,
        EndpointHealth.ALL,
        CallGate.OPEN,
        UpstreamProtocolConfig.DEFAULTS);
  }

  /** Picks an endpoint for an attempt, avoiding {@code exclude} when possible; null when none. */
  public @Nullable Endpoint pick(@Nullable Endpoint exclude) {
    return picked(balancer.pick(health.available(source.endpoints()), exclude));
  }

  /** Picks with the request's {@link HashKey} hash (ignored unless the balancer hashes). */
  public @Nullable Endpoint pick(@Nullable Endpoint exclude, long hash) {
    return picked(balancer.pick(health.available(source.endpoints()), exclude, hash));
  }

  /** Tells the health view that {@code picked} (unless none) carries an attempt now. */
  private @Nullable Endpoint picked(@Nullable Endpoint picked) {
    if (picked != null) {
      health.onPicked(picked);
    }
    return picked;
  }

  /**
   * Tells the balancer, and the source when it listens ({@link EndpointFeedback}), how an attempt
   * to {@code endpoint} ended. Allocates nothing; call once per attempt, on its event loop.
   *
   * @param status the response status, or 0 when no response head arrived
   * @param latencyNanos from the pick to the response head or the failure
   */
  public void report(Endpoint endpoint, AttemptOutcome outcome, int status, long latencyNanos) {
    balancer.onResult(endpoint, outcome, status, latencyNanos);
    health.onResult(endpoint, outcome, status, latencyNanos);
    if (source instanceof EndpointFeedback feedback) {
      feedback.onResult(endpoint, outcome, status, latencyNanos);
    }
  }
}
