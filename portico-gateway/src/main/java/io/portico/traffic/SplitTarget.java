package io.portico.traffic;

import io.portico.config.TimeoutsConfig;
import io.portico.upstream.UpstreamService;

/**
 * A service a split may choose, with the timeouts a call to it uses (the service's, overridden by
 * the route's).
 */
public record SplitTarget(UpstreamService service, TimeoutsConfig timeouts) {}
