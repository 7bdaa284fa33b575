package io.portico.snapshot;

import io.portico.aggregate.AggregatePlan;
import io.portico.ai.AiPlan;
import io.portico.config.RouteConfig;
import io.portico.config.TimeoutsConfig;
import io.portico.plugin.PluginChain;
import io.portico.router.PathTemplate;
import io.portico.upstream.UpstreamService;
import org.jspecify.annotations.Nullable;

/**
 * A route ready for the proxy: its config, its service (null when plugins answer it), the merged
 * plugin chain, the effective timeouts and the compiled rewrite template, and for an aggregate
 * route or an AI route its plan.
 */
public record CompiledRoute(
    RouteConfig config,
    @Nullable UpstreamService service,
    PluginChain chain,
    TimeoutsConfig timeouts,
    @Nullable PathTemplate rewrite,
    @Nullable AggregatePlan aggregate,
    @Nullable AiPlan ai) {

  /** A route that forwards, aggregates, or that plugins answer. */
  public CompiledRoute(
      RouteConfig config,
      @Nullable UpstreamService service,
      PluginChain chain,
      TimeoutsConfig timeouts,
      @Nullable PathTemplate rewrite,
      @Nullable AggregatePlan aggregate) {
    this(config, service, chain, timeouts, rewrite, aggregate, null);
  }

  /** A route that forwards to a service, or that plugins answer. */
  public CompiledRoute(
      RouteConfig config,
      @Nullable UpstreamService service,
      PluginChain chain,
      TimeoutsConfig timeouts,
      @Nullable PathTemplate rewrite) {
    this(config, service, chain, timeouts, rewrite, null, null);
  }

  public String name() {
    return config.name();
  }
}
