package io.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code alerts} section: every key read, and every mistake reported at once with its line. */
class AlertsSectionTest {

  private final PluginRegistry registry = PluginRegistry.load(getClass().getClassLoader());

  @TempDir Path dir;

  private static final String BASE =
      """
      services:
        - name: backend
          targets: [ "127.0.0.1:9000" ]
      routes:
        - name: api
          paths: [ "/" ]
          service: backend
      """;

  private ConfigResult parse(String alerts) {
    return ConfigFiles.parse(BASE + alerts, "portico.yaml", dir, Map.of(), registry);
  }

  private static List<String> problems(ConfigResult result) {
    return result.problems().list().stream().map(Problem::toString).toList();
  }

  @Test
  void noSectionMeansNoAlerting() {
    ConfigResult result = parse("");
    assertThat(problems(result)).isEmpty();
    assertThat(result.config().alerts()).isNull();
  }

  @Test
  void readsRulesNotifiersAndSilences() throws Exception {
    Files.writeString(dir.resolve("hook.secret"), "from-a-file\n");
    ConfigResult result =
        parse(
            """
            alerts:
              evaluation-interval: 2s
              repeat-interval: 1h
              notifiers:
                - { name: hook, type: webhook, url: "https://hooks.example.com/p", secret-file: hook.secret }
                - { name: chat, type: slack, url: "https://hooks.slack.com/services/T/B/X", retries: 5 }
                - { name: log, type: log }
              rules:
                - name: api-errors
                  kind: error-rate
                  route: api
                  threshold: 5%
                  resolve-ratio: 0.5
                  window: 5m
                  for: 1m
                  min-requests: 20
                  severity: critical
                  labels: { team: payments }
                  notifiers: [ hook, chat ]
                - { name: api-p99, kind: latency, service: backend, percentile: p99, threshold: 750ms }
                - { name: certs, kind: certificate-expiry, threshold: 30d, resolve-threshold: 40d }
              silences:
                - { matchers: { team: payments }, until: "2030-01-01T00:00:00Z", comment: migration }
            """);
    assertThat(problems(result)).isEmpty();
    AlertsConfig a = result.config().alerts();
    assertThat(a.evaluationInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(a.notifiers()).hasSize(3);
    assertThat(a.notifiers().get(0).secret()).isEqualTo("from-a-file");
    assertThat(a.notifiers().get(1).retries()).isEqualTo(5);
    AlertsConfig.Rule errors = a.rules().get(0);
    assertThat(errors.threshold()).isEqualTo(0.05);
    assertThat(errors.resolveThreshold()).isEqualTo(0.025);
    assertThat(errors.window()).isEqualTo(Duration.ofMinutes(5));
    assertThat(errors.forDuration()).isEqualTo(Duration.ofMinutes(1));
    assertThat(errors.labels())
        .containsEntry("severity", "critical")
        .containsEntry("team", "payments");
    assertThat(errors.notifiers()).containsExactly("hook", "chat");
    assertThat(errors.repeatInterval()).isEqualTo(Duration.ofHours(1));
    AlertsConfig.Rule p99 = a.rules().get(1);
    assertThat(p99.percentile()).isEqualTo(0.99);
    assertThat(p99.threshold()).isEqualTo(0.75);
    assertThat(p99.notifiers()).as("every notifier by default").hasSize(3);
    assertThat(a.rules().get(2).threshold()).isEqualTo(30);
    assertThat(a.rules().get(2).resolveThreshold()).isEqualTo(40);
    assertThat(a.silences().get(0).matchers()).containsEntry("team", "payments");
  }

  @Test
  void theExampleFileIsValid() throws Exception {
    Path example = Path.of("").toAbsolutePath().getParent().resolve("examples/alerting.yaml");
    ConfigResult result =
        ConfigFiles.parse(
            Files.readString(example),
            "alerting.yaml",
            dir,
            Map.of("ALERT_WEBHOOK_SECRET", "s"),
            registry);
    assertThat(problems(result)).isEmpty();
    assertThat(result.config().alerts().rules())
        .extracting(r -> r.kind())
        .containsExactlyInAnyOrder(AlertsConfig.Kind.values());
  }

  @Test
  void reportsEveryMistakeAtOnceWithItsLine() {
    ConfigResult result =
        parse(
            """
            alerts:
              evaluation-interval: soon
              notifiers:
                - { name: hook, type: webhook, url: "ftp://example.com" }
                - { name: pager, type: pager }
              rules:
                - { name: a, kind: error-ratio, route: api, threshold: 0.1 }
                - { name: b, kind: error-rate, route: nowhere, threshold: 0.1 }
                - { name: c, kind: error-rate, service: backend, threshold: 1.5 }
                - { name: d, kind: latency, route: api, threshold: 100ms, window: 1 minute }
                - { name: e, kind: error-rate, route: api, threshold: 0.1, notifiers: [ slack ] }
                - { name: f, kind: no-healthy-endpoint }
                - { name: g, kind: error-rate, route: api, threshold: 0.1, resolve-threshold: 0.2 }
                - { name: a, kind: reload-failed }
            """);
    assertThat(result.config()).isNull();
    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:9:24: alerts.evaluation-interval: \"soon\" (expected: a duration such as"
                + " 250ms, 5s, 1m, 2h or 1d)",
            "portico.yaml:11:41: alerts.notifiers[0].url: \"ftp://example.com\" (expected: an http"
                + " or https URL)",
            "portico.yaml:12:28: alerts.notifiers[1].type: \"pager\" (expected: one of webhook,"
                + " slack, log)",
            "portico.yaml:14:24: alerts.rules[0].kind: \"error-ratio\" (expected: one of error-rate,"
                + " latency, no-healthy-endpoint, rate-limited, auth-failures, redis-unreachable,"
                + " certificate-expiry, reload-failed, log-sink-drops)",
            "portico.yaml:15:43: alerts.rules[1].route: \"nowhere\" (expected: a route of the"
                + " config: api)",
            "portico.yaml:16:65: alerts.rules[2].threshold: \"1.5\" (expected: a share from 0 to 1,"
                + " such as 0.05 or 5%)",
            "portico.yaml:17:71: alerts.rules[3].window: \"1 minute\" (expected: a duration such as"
                + " 250ms, 5s, 1m, 2h or 1d; write 1m)",
            "portico.yaml:18:77: alerts.rules[4].notifiers[0]: \"slack\" (expected: a notifier"
                + " defined in alerts.notifiers: hook)",
            "portico.yaml:19:7: alerts.rules[5]: no service (expected: service: the service whose"
                + " endpoints count)",
            "portico.yaml:20:83: alerts.rules[6].resolve-threshold: \"0.2\" (expected: a value at"
                + " most the threshold (hysteresis resolves below it))",
            "portico.yaml:21:15: alerts.rules[7].name: \"a\" (expected: a rule name used once (a is"
                + " used before))");
  }

  @Test
  void aLogSinkDropsRuleNamesASinkOfTheAccessLog() {
    ConfigResult result =
        parse(
            """
            runtime:
              access-log:
                sinks: [ { type: stdout, name: out } ]
            alerts:
              rules:
                - { name: lost, kind: log-sink-drops, sink: out, threshold: 10, window: 5m }
                - { name: all-lost, kind: log-sink-drops }
                - { name: nowhere, kind: log-sink-drops, sink: collector }
                - { name: wrong, kind: error-rate, route: api, threshold: 5%, sink: out }
                - { name: routed, kind: log-sink-drops, route: api }
            """);
    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:15:52: alerts.rules[2].sink: \"collector\" (expected: a sink of"
                + " runtime.access-log: out)",
            "portico.yaml:16:73: alerts.rules[3].sink: sink on a error-rate rule (expected: no"
                + " sink)",
            "portico.yaml:17:52: alerts.rules[4].route: route on a log-sink-drops rule (expected:"
                + " no route)");
  }
}
