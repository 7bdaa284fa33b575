package io.portico.config;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How a service picks an endpoint for each attempt.
 *
 * @param policy the algorithm
 * @param hashOn what a {@code consistent-hash} balancer hashes
 * @param hashKey the header, cookie or path parameter named by {@code hashOn}; null for {@code
 *     client-ip} and {@code consumer}
 * @param slowStart how long a newly seen endpoint takes to reach its full share; zero for none
 */
public record BalancerConfig(
    Policy policy, HashOn hashOn, @Nullable String hashKey, Duration slowStart) {

  public static final BalancerConfig DEFAULTS =
      new BalancerConfig(Policy.ROUND_ROBIN, HashOn.CLIENT_IP, null, Duration.ZERO);

  /** The balancing algorithms, by their configuration names. */
  public enum Policy {
    ROUND_ROBIN("round-robin"),
    LEAST_REQUEST("least-request"),
    EWMA("ewma"),
    CONSISTENT_HASH("consistent-hash");

    private final String configName;

    Policy(String configName) {
      this.configName = configName;
    }

    public String configName() {
      return configName;
    }
  }

  /** What a consistent-hash balancer hashes. */
  public enum HashOn {
    HEADER("header"),
    COOKIE("cookie"),
    CLIENT_IP("client-ip"),
    CONSUMER("consumer"),
    PATH_PARAMETER("path-parameter");

    private final String configName;

    HashOn(String configName) {
      this.configName = configName;
    }

    public String configName() {
      return configName;
    }
  }
}
