package io.portico.config;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An upstream service: where requests go and how connections to it behave.
 *
 * @param discovery where its endpoints come from: the kind named by {@code discovery} ({@code
 *     static} when absent) and the settings it parsed
 * @param hostHeader the Host sent upstream when the route does not preserve the client's Host; null
 *     means the picked target's {@code host:port}
 * @param tls TLS to the endpoints; null for plain HTTP
 * @param balancer how an endpoint is picked for each attempt
 * @param health which endpoints to avoid
 * @param protocol HTTP/1.1 or HTTP/2 to the endpoints, and the HTTP/2 connections' settings
 */
public record ServiceConfig(
    String name,
    @Nullable DiscoverySpec discovery,
    TimeoutsConfig timeouts,
    PoolConfig pool,
    RetryConfig retry,
    @Nullable String hostHeader,
    List<PluginSpec> plugins,
    @Nullable UpstreamTlsConfig tls,
    BalancerConfig balancer,
    HealthConfig health,
    UpstreamProtocolConfig protocol) {

  /** A service that speaks HTTP/1.1 to its endpoints. */
  public ServiceConfig(
      String name,
      @Nullable DiscoverySpec discovery,
      TimeoutsConfig timeouts,
      PoolConfig pool,
      RetryConfig retry,
      @Nullable String hostHeader,
      List<PluginSpec> plugins,
      @Nullable UpstreamTlsConfig tls,
      BalancerConfig balancer,
      HealthConfig health) {
    this(
        name,
        discovery,
        timeouts,
        pool,
        retry,
        hostHeader,
        plugins,
        tls,
        balancer,
        health,
        UpstreamProtocolConfig.DEFAULTS);
  }

  /** A plain-HTTP service. */
  public ServiceConfig(
      String name,
      @Nullable DiscoverySpec discovery,
      TimeoutsConfig timeouts,
      PoolConfig pool,
      RetryConfig retry,
      @Nullable String hostHeader,
      List<PluginSpec> plugins) {
    this(
        name,
        discovery,
        timeouts,
        pool,
        retry,
        hostHeader,
        plugins,
        null,
        BalancerConfig.DEFAULTS,
        HealthConfig.DEFAULTS);
  }

  /** The targets of a {@code static} service as written; empty for a discovered one. */
  public List<TargetConfig> targets() {
    return discovery != null && discovery.settings() instanceof StaticTargets s
        ? s.targets()
        : List.of();
  }
}
