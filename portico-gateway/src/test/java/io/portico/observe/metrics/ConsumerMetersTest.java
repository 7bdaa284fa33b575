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
}
