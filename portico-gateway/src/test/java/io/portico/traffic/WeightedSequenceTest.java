package io.portico.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightedSequenceTest {

  @Test
  void followsTheWeightsExactlyOverEveryCycleAndInterleaves() {
    WeightedSequence<String> s =
        new WeightedSequence<>(List.of("a", "b", "c"), new int[] {5, 1, 1});
    StringBuilder first = new StringBuilder();
    for (int i = 0; i < 7; i++) {
      first.append(s.next());
    }
    assertThat(first.toString()).isEqualTo("aabacaa");
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 7 * 100; i++) {
      counts.merge(s.next(), 1, Integer::sum);
    }
    assertThat(counts).isEqualTo(Map.of("a", 500, "b", 100, "c", 100));
  }

  @Test
  void reducesTheCycleByTheWeightsCommonDivisorAndSkipsZeroWeights() {
    WeightedSequence<String> s =
        new WeightedSequence<>(List.of("a", "b", "c"), new int[] {9000, 1000, 0});
    assertThat(s.cycleLength()).isEqualTo(10);
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 1000; i++) {
      counts.merge(s.next(), 1, Integer::sum);
    }
    assertThat(counts).isEqualTo(Map.of("a", 900, "b", 100));
  }

  @Test
  void aPositionIsTheSameItemEveryTimeEvenForNegativeHashes() {
    WeightedSequence<String> s = new WeightedSequence<>(List.of("a", "b"), new int[] {1, 1});
    assertThat(s.at(-1)).isEqualTo(s.at(-1)).isEqualTo(s.at(1));
    assertThat(s.at(0)).isNotEqualTo(s.at(1));
  }
}
