package io.portico.config;

import java.time.Duration;

/**
 * How a service learns which endpoints to avoid.
 *
 * @param passive outlier ejection from the outcomes of real requests; null when off
 * @param allUnhealthy what happens when every endpoint is ejected
 */
public record HealthConfig(Passive passive, AllUnhealthy allUnhealthy) {

  public static final HealthConfig DEFAULTS = new HealthConfig(null, AllUnhealthy.TRY_ALL);

  /**
   * Passive outlier ejection.
   *
   * @param consecutive5xx 5xx responses in a row that eject an endpoint
   * @param consecutiveGatewayFailures connect failures, TLS failures, resets and timeouts in a row
   *     that eject an endpoint
   * @param baseEjectionTime the first ejection's length; the n-th lasts n times as long
   * @param maxEjectionTime the longest ejection
   * @param maxEjectedPercent the largest share of endpoints ejected at once
   */
  public record Passive(
      int consecutive5xx,
      int consecutiveGatewayFailures,
      Duration baseEjectionTime,
      Duration maxEjectionTime,
      int maxEjectedPercent) {

    public static final Passive DEFAULTS =
        new Passive(5, 3, Duration.ofSeconds(30), Duration.ofMinutes(5), 50);
  }

  /** When every endpoint is ejected: fail with 503, or try them all as if none were. */
  public enum AllUnhealthy {
    FAIL,
    TRY_ALL
  }
}
