package io.portico.observe.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.config.ConfigFiles;
import io.portico.config.ConfigResult;
import io.portico.config.GatewayConfig;
import io.portico.observe.ExchangeRecord;
import io.portico.plugin.PluginRegistry;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A counting rule's first window starts when the rule is created (at gateway start, or by the
 * reload that adds it), so what happened before its first evaluation counts. Evaluations are run by
 * the test; the evaluator's own interval is long.
 */
class FirstWindowTest {

  @TempDir Path dir;

  private GatewayConfig config(String rules) {
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
            runtime:
              access-log:
                sinks:
                  - { type: file, name: collector, path: access.log }
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
    return result.config();
  }

  private static void exchange(Alerting a, int status) {
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
                .durationMillis(1)
                .attempts(1)
                .userAgent("ua")
                .build());
  }

  private static AlertStatus.Rule rule(Alerting a, String name) {
    return a.status().rules().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void aRuleAddedByAReloadCountsTheErrorsBeforeItsFirstEvaluation() {
    String errors =
        "    - { name: errors, kind: error-rate, route: api, threshold: 0.5, window: 1h }\n";
    try (Alerting a = Alerting.start(config(errors), service -> -1)) {
      a.evaluate();
      a.apply(
          config(
              errors
                  + "    - { name: service-errors, kind: error-rate, service: backend,"
                  + " threshold: 0.5, window: 1h }\n"));
      exchange(a, 500);
      exchange(a, 500);
      exchange(a, 200);
      a.evaluate();
      assertThat(rule(a, "service-errors").value()).isEqualTo(2 / 3.0);
      assertThat(rule(a, "service-errors").state()).isEqualTo("firing");
      assertThat(rule(a, "errors").value()).isEqualTo(2 / 3.0);
    }
  }

  @Test
  void aSinkRuleCountsTheLinesLostBeforeItsFirstEvaluation() {
    AtomicLong lost = new AtomicLong(-1);
    AlertSource source =
        new AlertSource() {
          @Override
          public int healthyEndpoints(String service) {
            return -1;
          }

          @Override
          public long logLinesLost(@Nullable String sink) {
            return lost.get();
          }
        };
    try (Alerting a =
        Alerting.start(
            config(
                "    - { name: lost, kind: log-sink-drops, sink: collector, threshold: 3,"
                    + " window: 1h }\n"),
            source)) {
      // the access log opens after alerting starts; its sink then loses lines
      lost.set(5);
      a.evaluate();
      assertThat(rule(a, "lost").value()).isEqualTo(5.0);
      assertThat(rule(a, "lost").state()).isEqualTo("firing");
    }
  }
}
