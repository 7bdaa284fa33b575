package io.portico.config;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How a service learns which endpoints to avoid, and how much it lets through.
 *
 * @param active probes sent on a timer; null when off
 * @param passive outlier ejection from the outcomes of real requests; null when off
 * @param circuitBreaker limits and a failure-rate trip for the whole service; null when off
 * @param allUnhealthy what happens when every endpoint is down (probed down or ejected)
 */
public record HealthConfig(
    @Nullable Active active,
    @Nullable Passive passive,
    @Nullable CircuitBreaker circuitBreaker,
    AllUnhealthy allUnhealthy) {

  public static final HealthConfig DEFAULTS =
      new HealthConfig(null, null, null, AllUnhealthy.TRY_ALL);

  /** Passive ejection only (and no probes, no breaker). */
  public HealthConfig(Passive passive, AllUnhealthy allUnhealthy) {
    this(null, passive, null, allUnhealthy);
  }

  /**
   * Active probes.
   *
   * @param type what a probe is: an HTTP request, a TCP connect, or a gRPC {@code
   *     grpc.health.v1.Health/Check} call
   * @param path the HTTP probe's request target
   * @param method the HTTP probe's method
   * @param host the HTTP probe's Host header or the gRPC probe's {@code :authority}, or null for
   *     the endpoint's {@code host:port}
   * @param interval time between two probes of one endpoint
   * @param jitter how far probe times are spread: the first probe of an endpoint waits a random
   *     time below it, and each interval is moved by a random time in {@code [-jitter/2,
   *     jitter/2)}, so the endpoints of a service (and the services of a fleet of gateways) do not
   *     probe in lockstep; zero for none
   * @param timeout how long a probe may take (connect, TLS handshake and response head)
   * @param expectedStatuses the statuses that count as healthy
   * @param healthyThreshold successes in a row that bring a down endpoint back
   * @param unhealthyThreshold failures in a row that take an endpoint out
   * @param grpcService the service a gRPC probe asks about ({@code HealthCheckRequest.service});
   *     empty for the server as a whole
   */
  public record Active(
      ProbeType type,
      @Nullable String path,
      String method,
      @Nullable String host,
      Duration interval,
      Duration jitter,
      Duration timeout,
      List<StatusRange> expectedStatuses,
      int healthyThreshold,
      int unhealthyThreshold,
      String grpcService) {

    public static final List<StatusRange> DEFAULT_STATUSES = List.of(new StatusRange(200, 399));

    /** Whether {@code status} counts as healthy. */
    public boolean expected(int status) {
      for (StatusRange r : expectedStatuses) {
        if (status >= r.from() && status <= r.to()) {
          return true;
        }
      }
      return false;
    }
  }

  /** What an active probe does. */
  public enum ProbeType {
    HTTP,
    TCP,
    /** {@code grpc.health.v1.Health/Check} over HTTP/2: healthy when the answer is SERVING. */
    GRPC
  }

  /** Statuses from {@code from} to {@code to}, both included ({@code 2xx} is 200–299). */
  public record StatusRange(int from, int to) {}

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

  /**
   * A service's circuit breaker. A limit of 0 means none.
   *
   * @param maxConnections connections open or opening to the service's endpoints, all event loops
   * @param maxPending requests waiting for a connection
   * @param maxInFlight requests between their first attempt and the end of their response
   * @param failureRate the failure-rate trip, or null when off
   */
  public record CircuitBreaker(
      int maxConnections, int maxPending, int maxInFlight, @Nullable FailureRate failureRate) {}

  /**
   * Opens the circuit when too many requests fail.
   *
   * @param window how far back requests are counted
   * @param minimumRequests fewer requests in the window never open it
   * @param threshold the share of failed requests (0–1) that opens it
   * @param openDuration how long it stays open before letting probe requests through
   * @param halfOpenRequests requests let through half-open; all must succeed to close it
   */
  public record FailureRate(
      Duration window,
      int minimumRequests,
      double threshold,
      Duration openDuration,
      int halfOpenRequests) {}

  /** When every endpoint is down: fail with 503, or try them all as if none were. */
  public enum AllUnhealthy {
    FAIL,
    TRY_ALL
  }
}
