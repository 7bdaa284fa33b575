package io.portico.observe.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.config.ConfigFiles;
import io.portico.config.ConfigResult;
import io.portico.observe.ExchangeRecord;
import io.portico.plugin.PluginRegistry;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The states of an alert, step by step: evaluations are run by the test (the evaluator's own
 * interval is long), over exchanges fed to the real feed and rules read by the real parser.
 */
class AlertStatesTest {

  @TempDir Path dir;

  private Alerting start(String rules) {
    ConfigResult result =
        ConfigFiles.parse(
            """
            services:
              - name: backend
                targets: [ "127.0.0.1:9000" ]
            routes:
              - name: api
                paths: [ "/" ]
                service: backend
            alerts:
              evaluation-interval: 10m
              rules:
            """
                + rules,
            "portico.yaml",
            dir,
            Map.of(),
            PluginRegistry.load(getClass().getClassLoader()));
    assertThat(result.problems().list()).isEmpty();
    return Alerting.start(result.config(), service -> -1);
  }

  private static void exchange(Alerting a, int status, double millis) {
    a.observer()
        .onExchangeComplete(
            ExchangeRecord.builder()
                .requestId("id")
                .clientAddress("127.0.0.1")
                .method("GET")
                .path("/")
                .protocol("HTTP/1.1")
                .host("h")
                .route("api")
                .service("backend")
                .upstream("u")
                .status(status)
                .durationMillis(millis)
                .attempts(1)
                .userAgent("ua")
                .build());
  }

  private static AlertStatus.Rule rule(Alerting a, String name) {
    return a.status().rules().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void hysteresisKeepsAnAlertFiringUntilTheValueFallsBelowTheResolveThreshold() {
    try (Alerting a =
        start(
            "    - { name: errors, kind: error-rate, route: api, threshold: 0.5,"
                + " resolve-threshold: 0.2, window: 1h }\n")) {
      a.evaluate(); // the baseline: a window is the newest sample minus an older one
      exchange(a, 500, 1);
      a.evaluate();
      assertThat(rule(a, "errors").state()).isEqualTo("firing");
      exchange(a, 200, 1);
      exchange(a, 200, 1);
      a.evaluate();
      assertThat(rule(a, "errors").value()).isEqualTo(1 / 3.0);
      assertThat(rule(a, "errors").state())
          .as("below the threshold, above the resolve one")
          .isEqualTo("firing");
      exchange(a, 200, 1);
      exchange(a, 200, 1);
      a.evaluate();
      assertThat(rule(a, "errors").value()).isEqualTo(0.2);
      assertThat(rule(a, "errors").state()).as("at the resolve threshold").isEqualTo("firing");
      exchange(a, 200, 1);
      a.evaluate();
      assertThat(rule(a, "errors").state()).isEqualTo("resolved");
      exchange(a, 500, 1);
      exchange(a, 500, 1);
      a.evaluate();
      assertThat(rule(a, "errors").value()).isEqualTo(3 / 8.0);
      assertThat(rule(a, "errors").state())
          .as("not past the threshold again")
          .isEqualTo("resolved");
    }
  }

  @Test
  void anAlertStaysPendingUntilItsConditionHeldForItsForDuration() {
    try (Alerting a =
        start("    - { name: slow, kind: latency, route: api, threshold: 100ms, for: 1h }\n")) {
      a.evaluate();
      assertThat(rule(a, "slow").state()).isEqualTo("inactive");
      assertThat(rule(a, "slow").value()).as("no requests, no value").isNaN();
      for (int i = 0; i < 10; i++) {
        exchange(a, 200, 300);
      }
      a.evaluate();
      AlertStatus.Rule slow = rule(a, "slow");
      assertThat(slow.state()).isEqualTo("pending");
      assertThat(slow.value()).isBetween(0.25, 0.5);
      assertThat(slow.startsAt()).isNull();
      assertThat(slow.lastNotified()).isNull();
    }
  }

  @Test
  void percentilesInterpolateWithinTheirBucket() {
    long[] delta = new long[AlertFeed.SIZE];
    delta[AlertFeed.BUCKETS + AlertFeed.bucket(0.003)] = 50; // (0.0025, 0.005]
    delta[AlertFeed.BUCKETS + AlertFeed.bucket(0.3)] = 50; // (0.25, 0.5]
    assertThat(History.percentile(delta, 0.5)).isEqualTo(0.005);
    assertThat(History.percentile(delta, 0.9))
        .isCloseTo(0.45, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(History.percentile(new long[AlertFeed.SIZE], 0.9)).isNaN();
  }
}
