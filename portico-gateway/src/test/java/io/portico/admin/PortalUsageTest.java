package io.portico.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The latency percentiles of the portal's usage view, read from cumulative histogram buckets. */
class PortalUsageTest {

  private static TreeMap<Double, Double> buckets(double... boundAndCount) {
    TreeMap<Double, Double> b = new TreeMap<>();
    for (int i = 0; i < boundAndCount.length; i += 2) {
      b.put(boundAndCount[i], boundAndCount[i + 1]);
    }
    return b;
  }

  @Test
  void answersTheUpperBoundOfTheBucketThePercentileFallsIn() {
    TreeMap<Double, Double> b =
        buckets(0.005, 10, 0.01, 60, 0.1, 98, 1, 100, Double.POSITIVE_INFINITY, 100);
    assertThat(PortalUsage.percentile(b, 0.50)).isEqualTo(10.0);
    assertThat(PortalUsage.percentile(b, 0.99)).isEqualTo(1000.0);
    assertThat(PortalUsage.percentile(b, 0.05)).isEqualTo(5.0);
  }

  @Test
  void answersMinusOneWithoutRequestsAndTheLargestBoundBeyondIt() {
    assertThat(PortalUsage.percentile(buckets(0.01, 0, Double.POSITIVE_INFINITY, 0), 0.5))
        .isEqualTo(-1);
    assertThat(PortalUsage.percentile(new TreeMap<>(), 0.5)).isEqualTo(-1);
    assertThat(PortalUsage.percentile(buckets(0.01, 1, 1, 2, Double.POSITIVE_INFINITY, 10), 0.99))
        .isEqualTo(1000.0);
  }
}
