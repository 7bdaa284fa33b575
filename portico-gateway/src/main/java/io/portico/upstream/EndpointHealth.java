package io.portico.upstream;

import java.util.List;

/**
 * Which of a service's endpoints may be picked now, learned from how attempts went ({@link
 * EndpointFeedback}). {@link #ALL} keeps every endpoint.
 *
 * <p>Called on event loops concurrently: thread-safe, non-blocking; {@link #available} should
 * return a cached list (the same instance while nothing changed), since balancers cache per list.
 */
public interface EndpointHealth extends EndpointFeedback {

  /** Every endpoint is available; results are ignored. */
  EndpointHealth ALL =
      new EndpointHealth() {
        @Override
        public List<Endpoint> available(List<Endpoint> endpoints) {
          return endpoints;
        }

        @Override
        public void onResult(
            Endpoint endpoint, AttemptOutcome outcome, int status, long latencyNanos) {}
      };

  /**
   * {@code endpoint} was picked for an attempt, whose {@link #onResult} follows once (for counting
   * attempts in flight). Does nothing unless overridden.
   */
  default void onPicked(Endpoint endpoint) {}

  /** The endpoints of {@code endpoints} that may be picked now; may be empty. */
  List<Endpoint> available(List<Endpoint> endpoints);
}
