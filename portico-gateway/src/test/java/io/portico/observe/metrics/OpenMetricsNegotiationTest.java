package io.portico.observe.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which format {@code /metrics} answers for the {@code Accept} headers scrapers send. */
class OpenMetricsNegotiationTest {

  @Test
  void prometheusDefaultHeaderGetsOpenMetrics() {
    assertThat(
            GatewayMetrics.wantsOpenMetrics(
                "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,"
                    + "application/openmetrics-text;version=0.0.1;q=0.5,"
                    + "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,"
                    + "text/plain;version=0.0.4;q=0.3,*/*;q=0.2"))
        .isTrue();
    assertThat(GatewayMetrics.wantsOpenMetrics("application/openmetrics-text")).isTrue();
  }

  @Test
  void aScraperPreferringTheTextFormatGetsText() {
    assertThat(
            GatewayMetrics.wantsOpenMetrics(
                "text/plain;version=0.0.4;q=0.5,application/openmetrics-text;version=1.0.0;q=0.4,"
                    + "*/*;q=0.1"))
        .isFalse();
    assertThat(GatewayMetrics.wantsOpenMetrics("application/openmetrics-text;q=0, text/plain"))
        .isFalse();
    assertThat(GatewayMetrics.wantsOpenMetrics("text/plain, application/openmetrics-text"))
        .isFalse();
  }

  @Test
  void noOrAnyAcceptGetsText() {
    assertThat(GatewayMetrics.wantsOpenMetrics(null)).isFalse();
    assertThat(GatewayMetrics.wantsOpenMetrics("*/*")).isFalse();
    assertThat(GatewayMetrics.wantsOpenMetrics("application/json")).isFalse();
  }
}
