package io.portico.config;

import java.time.Duration;

/**
 * Upstream connection pool, per event loop and per target.
 *
 * @param maxConnections most connections open to one target from one event loop
 * @param maxPending requests that may wait for a connection when the pool is full; beyond that the
 *     request fails with 503 {@code upstream_pool_exhausted}
 * @param idleTimeout how long an idle pooled connection is kept; shorter than common upstream
 *     keep-alive timeouts (nginx 75 s, Node.js 5 s) minus a margin
 */
public record PoolConfig(int maxConnections, int maxPending, Duration idleTimeout) {

  public static final PoolConfig DEFAULTS = new PoolConfig(1024, 1024, Duration.ofSeconds(4));
}
