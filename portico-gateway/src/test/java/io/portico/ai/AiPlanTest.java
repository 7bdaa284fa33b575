package io.portico.ai;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.config.AiConfig;
import io.portico.config.TimeoutsConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AiPlanTest {

  private static AiPlan.Model model(AiConfig.Strategy strategy, AiPlan.Target... targets) {
    return new AiPlan.Model(
        new AiConfig.Model("m", strategy, List.of(), Duration.ofSeconds(1), 1024),
        List.of(targets),
        new TimeoutsConfig[targets.length]);
  }

  private static AiPlan.Target target(String model, int weight) {
    return new AiPlan.Target(null, model, weight);
  }

  @Test
  void orderedTriesTargetsInConfigOrder() {
    AiPlan.Model m = model(AiConfig.Strategy.ORDERED, target("a", 1), target("b", 5));

    assertThat(m.order()).extracting(AiPlan.Target::model).containsExactly("a", "b");
  }

  @Test
  void weightedDrawsTheFirstTargetByWeightAndKeepsTheOthersAsFallbacks() {
    AiPlan.Model m =
        model(AiConfig.Strategy.WEIGHTED, target("a", 3), target("b", 1), target("c", 1));
    Map<String, Integer> first = new HashMap<>();

    for (int i = 0; i < 5000; i++) {
      AiPlan.Target[] order = m.order();
      assertThat(order).hasSize(3).doesNotHaveDuplicates();
      first.merge(order[0].model(), 1, Integer::sum);
    }

    // 3:1:1 -> 60%, 20%, 20%; the bounds are many standard deviations wide
    assertThat(first.get("a")).isBetween(2700, 3300);
    assertThat(first.get("b")).isBetween(800, 1200);
    assertThat(first.get("c")).isBetween(800, 1200);
  }

  @Test
  void aKeyRingRotatesAndSkipsCoolingKeys() {
    KeyRing ring = new KeyRing(List.of("k0", "k1", "k2"), 1000);
    long now = 42;

    ring.coolDown(1, now, -1);

    assertThat(List.of(ring.next(now, 0), ring.next(now, 0), ring.next(now, 0), ring.next(now, 0)))
        .doesNotContain(1)
        .contains(0, 2);
    assertThat(ring.next(now + 1000, 0) >= 0).isTrue();
    assertThat(ring.next(now, 0b101)).isEqualTo(-1);
    ring.coolDown(0, now, 5000);
    ring.coolDown(2, now, 5000);
    assertThat(ring.available(now + 500)).isFalse();
    assertThat(ring.available(now + 5000)).isTrue();
  }

  @Test
  void readsRetryAfterAsSecondsOrADate() {
    assertThat(RetryAfter.nanos("30")).isEqualTo(Duration.ofSeconds(30).toNanos());
    assertThat(RetryAfter.nanos("1.5")).isEqualTo(Duration.ofMillis(1500).toNanos());
    assertThat(RetryAfter.nanos("999999")).isEqualTo(RetryAfter.MAX_NANOS);
    assertThat(RetryAfter.nanos("soon")).isEqualTo(-1);
    assertThat(RetryAfter.nanos(null)).isEqualTo(-1);
    String inAMinute =
        java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
            java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(60));
    assertThat(RetryAfter.nanos(inAMinute))
        .isBetween(Duration.ofSeconds(55).toNanos(), Duration.ofSeconds(61).toNanos());
  }
}
