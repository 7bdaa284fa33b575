package io.portico.observe.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * Requests per consumer and status class ({@code metrics.per-consumer: true}), for at most {@code
 * metrics.max-consumers} consumers: the first ones seen get series of their own, every later one is
 * counted under {@code (other)}, so a flood of consumers cannot grow the scrape without bound.
 * Requests without a consumer are counted under {@code (none)}, which takes no place in the cap.
 *
 * <p>Thread-safe: the cap is taken with an atomic counter, so it is never exceeded.
 */
final class ConsumerMeters {

  private final MeterRegistry registry;
  private final int max;
  private final AtomicInteger admitted = new AtomicInteger();
  private final ConcurrentHashMap<String, AtomicReferenceArray<Counter>> byConsumer =
      new ConcurrentHashMap<>();
  private final AtomicReferenceArray<Counter> other;
  private final AtomicReferenceArray<Counter> none;
  private final ConcurrentHashMap<String, Counter[]> tokens = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer> durations = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> costs = new ConcurrentHashMap<>();

  ConsumerMeters(MeterRegistry registry, int max) {
    this.registry = registry;
    this.max = max;
    this.other = new AtomicReferenceArray<>(Labels.STATUS_CLASSES.length);
    this.none = new AtomicReferenceArray<>(Labels.STATUS_CLASSES.length);
  }

  /**
   * A request and its duration (head in to last byte out), under the same label as {@link
   * #record(String, int)}; the duration feeds {@code portico_consumer_request_duration_seconds}.
   */
  void record(@Nullable String consumer, int status, double durationMillis) {
    String label = record(consumer, status);
    Timer t = durations.get(label);
    if (t == null) {
      t =
          durations.computeIfAbsent(
              label,
              l ->
                  Timer.builder("portico.consumer.request.duration")
                      .description(
                          "Time from the request head's arrival to the response's last byte, by"
                              + " consumer (metrics.per-consumer)")
                      .tags("consumer", l)
                      .serviceLevelObjectives(Buckets.LATENCY)
                      .register(registry));
    }
    t.record((long) (durationMillis * 1e6), TimeUnit.NANOSECONDS);
  }

  /** Counts a request; answers the consumer label it was counted under. */
  String record(@Nullable String consumer, int status) {
    AtomicReferenceArray<Counter> counters;
    String label;
    if (consumer == null) {
      counters = none;
      label = Labels.NO_CONSUMER;
    } else {
      counters = byConsumer.get(consumer);
      label = consumer;
      if (counters == null) {
        counters = admit(consumer);
        if (counters == null) {
          counters = other;
          label = Labels.OTHER_CONSUMERS;
        }
      }
    }
    int statusClass = Labels.statusClass(status);
    Counter c = counters.get(statusClass);
    if (c == null) {
      c =
          Counter.builder("portico.consumer.requests")
              .description("Requests by consumer and status class (metrics.per-consumer)")
              .tags("consumer", label, "status", Labels.STATUS_CLASSES[statusClass])
              .register(registry);
      counters.set(statusClass, c);
    }
    c.increment();
    return label;
  }

  /**
   * The AI tokens of one call, under the same consumer label (and cap) as its requests; counted
   * after {@link #record}, which admitted the consumer.
   */
  void tokens(@Nullable String consumer, long prompt, long completion) {
    String label =
        consumer == null
            ? Labels.NO_CONSUMER
            : byConsumer.containsKey(consumer) ? consumer : Labels.OTHER_CONSUMERS;
    Counter[] c = tokens.get(label);
    if (c == null) {
      c =
          tokens.computeIfAbsent(
              label, l -> new Counter[] {tokenCounter(l, "prompt"), tokenCounter(l, "completion")});
    }
    if (prompt > 0) {
      c[0].increment(prompt);
    }
    if (completion > 0) {
      c[1].increment(completion);
    }
  }

  /** The cost of one AI call from {@code ai.prices}, under the consumer's label. */
  void cost(@Nullable String consumer, double cost) {
    String label =
        consumer == null
            ? Labels.NO_CONSUMER
            : byConsumer.containsKey(consumer) ? consumer : Labels.OTHER_CONSUMERS;
    costs
        .computeIfAbsent(
            label,
            l ->
                Counter.builder("portico.consumer.ai.cost")
                    .description(
                        "Cost of AI calls by consumer, from ai.prices (metrics.per-consumer)")
                    .tags("consumer", l)
                    .register(registry))
        .increment(cost);
  }

  private Counter tokenCounter(String label, String type) {
    return Counter.builder("portico.consumer.ai.tokens")
        .description("AI tokens by consumer and type (metrics.per-consumer)")
        .tags("consumer", label, "type", type)
        .register(registry);
  }

  /** A place of its own for {@code consumer}, or null when the cap is reached. */
  private @Nullable AtomicReferenceArray<Counter> admit(String consumer) {
    while (true) {
      AtomicReferenceArray<Counter> existing = byConsumer.get(consumer);
      if (existing != null) {
        return existing;
      }
      int n = admitted.get();
      if (n >= max) {
        return null;
      }
      if (admitted.compareAndSet(n, n + 1)) {
        AtomicReferenceArray<Counter> mine =
            new AtomicReferenceArray<>(Labels.STATUS_CLASSES.length);
        AtomicReferenceArray<Counter> raced = byConsumer.putIfAbsent(consumer, mine);
        if (raced != null) {
          admitted.decrementAndGet();
          return raced;
        }
        return mine;
      }
    }
  }
}
