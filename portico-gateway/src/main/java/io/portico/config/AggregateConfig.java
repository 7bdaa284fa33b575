package io.portico.config;

import io.portico.spi.config.ConfigNode;
import java.time.Duration;
import java.util.List;

/**
 * A route's {@code aggregate} section: the answer is built from several backends, each a call to a
 * configured service, merged into one JSON object.
 *
 * @param timeout the route's deadline for the whole aggregate, from its start
 * @param failure what a failed backend does to the answer
 * @param maxBodySize the most bytes read of each backend's body
 * @param backends the backends in config order (the order in which their bodies are merged)
 * @param node where the section is, for later compilation steps to report against
 */
public record AggregateConfig(
    Duration timeout,
    FailureMode failure,
    long maxBodySize,
    List<BackendConfig> backends,
    ConfigNode node) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  public static final long DEFAULT_MAX_BODY_SIZE = 1L << 20;

  /** What a failed backend does to the answer. */
  public enum FailureMode {
    /** A 200 with the parts that succeeded, naming those that failed; required backends aside. */
    PARTIAL,
    /** Any failed backend fails the aggregate: a problem naming each failed backend. */
    STRICT
  }
}
