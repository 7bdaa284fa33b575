package io.portico.observe.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The consumer cap holds when many threads meet new consumers at once. */
class ConsumerMetersTest {

  @Test
  void neverMoreConsumersThanTheCapUnderConcurrentRecording() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ConsumerMeters meters = new ConsumerMeters(registry, 10);
    int threads = 8;
    int perThread = 500;
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int offset = t;
      Thread th =
          new Thread(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                for (int i = 0; i < perThread; i++) {
                  meters.record("consumer-" + ((i * 7 + offset) % 200), 200);
                }
              });
      th.start();
      started.add(th);
    }
    go.countDown();
    for (Thread th : started) {
      th.join();
    }
    Set<String> labels =
        registry.find("portico.consumer.requests").counters().stream()
            .map(c -> c.getId().getTag("consumer"))
            .collect(Collectors.toSet());
    assertThat(labels).hasSize(11).contains(Labels.OTHER_CONSUMERS);
    double total =
        registry.find("portico.consumer.requests").counters().stream()
            .mapToDouble(Counter::count)
            .sum();
    assertThat(total).isEqualTo(threads * perThread);
  }

  @Test
  void durationsAndAiCostAreRecordedUnderTheConsumersLabelAndTheCap() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ConsumerMeters meters = new ConsumerMeters(registry, 1);
    meters.record("a", 200, 12.5);
    meters.record("b", 500, 40);
    meters.cost("a", 0.25);
    meters.cost("b", 1.5);
    io.micrometer.core.instrument.Timer a =
        registry.find("portico.consumer.request.duration").tag("consumer", "a").timer();
    assertThat(a).isNotNull();
    assertThat(a.count()).isEqualTo(1);
    assertThat(a.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(12.5);
    assertThat(
            registry
                .find("portico.consumer.request.duration")
                .tag("consumer", Labels.OTHER_CONSUMERS)
                .timer()
                .count())
        .isEqualTo(1);
    assertThat(registry.find("portico.consumer.ai.cost").tag("consumer", "a").counter().count())
        .isEqualTo(0.25);
    assertThat(
            registry
                .find("portico.consumer.ai.cost")
                .tag("consumer", Labels.OTHER_CONSUMERS)
                .counter()
                .count())
        .isEqualTo(1.5);
  }
}
