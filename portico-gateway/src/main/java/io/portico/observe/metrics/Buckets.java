package io.portico.observe.metrics;

import java.time.Duration;

/**
 * The fixed bucket boundaries of the latency histograms. Fixed, so that every gateway of a fleet
 * exposes the same buckets and their series can be summed; documented in {@code
 * docs/observability.md}.
 */
final class Buckets {

  /** Gateway and upstream latency: 1 ms to 30 s. */
  static final Duration[] LATENCY = {
    Duration.ofMillis(1),
    Duration.ofNanos(2_500_000),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2_500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30)
  };

  /** Event-loop delay: 100 µs to 1 s. */
  static final Duration[] LOOP_DELAY = {
    Duration.ofNanos(100_000),
    Duration.ofNanos(500_000),
    Duration.ofMillis(1),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(500),
    Duration.ofSeconds(1)
  };

  private Buckets() {}
}
