package io.portico.upstream;

/**
 * Hears how each attempt to an endpoint went: for passive health checks (an endpoint that keeps
 * failing is taken out for a while) and latency-aware balancing. Every {@link Balancer} is one (a
 * no-op unless it overrides); an {@link EndpointSource} may be one too. The exchange reports
 * through {@link UpstreamService#report}.
 *
 * <p>Called on event loops, concurrently, once per attempt: implementations are thread-safe, do not
 * block and should not allocate (primitives and a constant are passed for that reason).
 */
@FunctionalInterface
public interface EndpointFeedback {

  /**
   * One attempt ended.
   *
   * @param endpoint the endpoint the attempt went to
   * @param outcome how it ended
   * @param status the response status, or 0 when no response head arrived
   * @param latencyNanos from the attempt's start (the pick) to its outcome: the response head, or
   *     the failure
   */
  void onResult(Endpoint endpoint, AttemptOutcome outcome, int status, long latencyNanos);
}
