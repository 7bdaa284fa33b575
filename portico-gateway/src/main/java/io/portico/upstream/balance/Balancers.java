package io.portico.upstream.balance;

import io.portico.config.BalancerConfig;
import io.portico.upstream.Balancer;
import io.portico.upstream.HashKey;
import io.portico.upstream.WeightedRoundRobinBalancer;
import org.jspecify.annotations.Nullable;

/** Makes the balancer a service's {@code balancer} section names: one new instance per service. */
public final class Balancers {

  private Balancers() {}

  public static Balancer create(BalancerConfig config) {
    Balancer b =
        switch (config.policy()) {
          case ROUND_ROBIN -> new WeightedRoundRobinBalancer();
          case LEAST_REQUEST -> new LeastRequestBalancer();
          case EWMA -> new PeakEwmaBalancer();
          case CONSISTENT_HASH -> new ConsistentHashBalancer();
        };
    return config.slowStart().isZero() ? b : new SlowStartBalancer(b, config.slowStart());
  }

  /** What the balancer hashes per request; null unless it hashes. */
  public static @Nullable HashKey hashKey(BalancerConfig config) {
    return config.policy() == BalancerConfig.Policy.CONSISTENT_HASH
        ? new HashKey(config.hashOn(), config.hashKey())
        : null;
  }
}
