package io.portico.config;

import io.portico.spi.config.Problems;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of loading and parsing one configuration document.
 *
 * @param config the validated configuration, or null when there is any problem
 * @param problems every problem found, in document order; empty when {@code config} is set
 */
public record ConfigResult(@Nullable GatewayConfig config, Problems problems) {

  /** Whether the document is valid, i.e. {@link #config()} is set. */
  public boolean ok() {
    return config != null;
  }
}
