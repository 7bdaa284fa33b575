package io.portico.upstream;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Chooses an endpoint for one attempt, and may learn from how attempts went ({@link #onResult}, a
 * no-op by default). Called on event loops concurrently; implementations are thread-safe and do not
 * block.
 */
public interface Balancer extends EndpointFeedback {

  /**
   * Picks one of {@code endpoints}, avoiding {@code exclude} (an endpoint an earlier attempt of the
   * same request failed on) when another exists.
   *
   * @return null when {@code endpoints} is empty
   */
  @Nullable Endpoint pick(List<Endpoint> endpoints, @Nullable Endpoint exclude);

  /**
   * Picks with the request's {@code hash} ({@link HashKey}); balancers that do not hash ignore it.
   */
  default @Nullable Endpoint pick(List<Endpoint> endpoints, @Nullable Endpoint exclude, long hash) {
    return pick(endpoints, exclude);
  }

  /** Ignores results unless overridden. */
  @Override
  default void onResult(Endpoint endpoint, AttemptOutcome outcome, int status, long latencyNanos) {}
}
