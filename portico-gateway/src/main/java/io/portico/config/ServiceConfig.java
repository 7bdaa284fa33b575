package io.portico.config;

import java.util.List;

/**
 * An upstream service: where requests go and how connections to it behave.
 *
 * @param hostHeader the Host sent upstream when the route does not preserve the client's Host; null
 *     means the picked target's {@code host:port}
 */
public record ServiceConfig(
    String name,
    List<TargetConfig> targets,
    TimeoutsConfig timeouts,
    PoolConfig pool,
    RetryConfig retry,
    String hostHeader,
    List<PluginSpec> plugins) {}
