package io.portico.observe.alert;

import org.jspecify.annotations.Nullable;

/**
 * What alert rules read from the running gateway beyond its exchanges: the composition root
 * implements it over the active snapshot, so that alerting depends on neither the snapshot nor the
 * upstream health checking. Called on the evaluator thread; must not block.
 */
public interface AlertSource {

  /**
   * The endpoints of {@code service} that health checking lets through now (all of them when it has
   * no health checking), or -1 when the active config has no such service.
   */
  int healthyEndpoints(String service);

  /**
   * Access-log lines lost since start by the sink named {@code sink}, or by all sinks when null:
   * dropped on a full queue plus failed after retries; -1 when there is no such sink (or no access
   * log).
   */
  default long logLinesLost(@Nullable String sink) {
    return -1;
  }
}
