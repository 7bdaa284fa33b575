package io.portico.upstream;

import java.util.List;

/**
 * Chooses an endpoint for one attempt. Called on event loops concurrently; implementations are
 * thread-safe and do not block.
 */
public interface Balancer {

  /**
   * Picks one of {@code endpoints}, avoiding {@code exclude} (an endpoint an earlier attempt of the
   * same request failed on) when another exists.
   *
   * @return null when {@code endpoints} is empty
   */
  Endpoint pick(List<Endpoint> endpoints, Endpoint exclude);
}
