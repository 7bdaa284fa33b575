package io.portico.snapshot;

import io.portico.aggregate.AggregatePlan;
import io.portico.ai.AiPlan;
import io.portico.config.RouteConfig;
import io.portico.config.TimeoutsConfig;
import io.portico.plugin.PluginChain;
import io.portico.router.PathTemplate;
import io.portico.traffic.RouteTraffic;
import io.portico.upstream.UpstreamService;
import org.jspecify.annotations.Nullable;

/**
 * A route ready for the proxy: its config, its service (null when plugins answer it), the merged
 * plugin chain, the effective timeouts and the compiled rewrite template, and for an aggregate
 * route its plan; its traffic split and mirror; an AI route its plan.
 */
public record CompiledRoute(
    RouteConfig config,
    @Nullable UpstreamService service,
    PluginChain chain,
    TimeoutsConfig timeouts,
    @Nullable PathTemplate rewrite,
    @Nullable AggregatePlan aggregate,
    @Nullable RouteTraffic traffic,
    @Nullable AiPlan ai) {

  /** A route without traffic split, mirror or AI gateway. */
  public CompiledRoute(
      RouteConfig config,
      @Nullable UpstreamService service,
      PluginChain chain,
      TimeoutsConfig timeouts,
      @Nullable PathTemplate rewrite,
      @Nullable AggregatePlan aggregate) {
    this(config, service, chain, timeouts, rewrite, aggregate, null, null);
  }

  /** A route that forwards to a service, or that plugins answer. */
  public CompiledRoute(
      RouteConfig config,
      @Nullable UpstreamService service,
      PluginChain chain,
      TimeoutsConfig timeouts,
      @Nullable PathTemplate rewrite) {
    this(config, service, chain, timeouts, rewrite, null);
  }

  public String name() {
    return config.name();
  }
}
