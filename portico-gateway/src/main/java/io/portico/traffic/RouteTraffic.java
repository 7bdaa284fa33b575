package io.portico.traffic;

import io.portico.config.TimeoutsConfig;
import io.portico.config.TrafficConfig;
import io.portico.upstream.UpstreamService;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A route's compiled {@code traffic-split} and {@code mirror}; either may be null. */
public record RouteTraffic(@Nullable TrafficSplit split, @Nullable MirrorPlan mirror) {

  /**
   * Compiles the route's traffic policy against the snapshot's services (which the config parser
   * has checked exist).
   */
  public static RouteTraffic compile(
      TrafficConfig config,
      Map<String, UpstreamService> services,
      TimeoutsConfig.@Nullable TimeoutsOverride routeTimeouts) {
    TrafficSplit split =
        config.split() == null
            ? null
            : TrafficSplit.compile(config.split(), services, routeTimeouts);
    MirrorPlan mirror = null;
    if (config.mirror() != null) {
      UpstreamService s = services.get(config.mirror().service());
      if (s == null) {
        throw new IllegalStateException("unknown service " + config.mirror().service());
      }
      mirror = new MirrorPlan(s, config.mirror());
    }
    return new RouteTraffic(split, mirror);
  }
}
