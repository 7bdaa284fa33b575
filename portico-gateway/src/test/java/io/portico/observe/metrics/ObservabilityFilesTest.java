package io.portico.observe.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.portico.testing.GatewayFixture;
import io.portico.testing.TestOrigin;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Holds the Grafana dashboard and the Prometheus alerting rules of {@code observability/} to what
 * {@code /metrics} really serves: a gateway is started, given traffic of every kind the files chart
 * (proxied, refused by a plugin, authenticated), scraped, and every metric name an expression uses
 * must be in the scrape.
 */
class ObservabilityFilesTest {

  private static final Path DIR = Path.of("").toAbsolutePath().getParent().resolve("observability");
  private static final Pattern METRIC = Pattern.compile("\\b(?:portico|jvm|process)_[a-z0-9_]+\\b");

  @Test
  void everyMetricOfTheDashboardAndTheRulesIsServed() throws Exception {
    List<String> expressions = new ArrayList<>();
    JsonNode dashboard =
        new ObjectMapper().readTree(DIR.resolve("grafana-dashboard.json").toFile());
    collectExpressions(dashboard, expressions);
    JsonNode rules =
        new ObjectMapper(new YAMLFactory()).readTree(DIR.resolve("prometheus-rules.yaml").toFile());
    int alerts = 0;
    for (JsonNode group : rules.get("groups")) {
      for (JsonNode rule : group.get("rules")) {
        assertThat(rule.path("alert").asText()).as("an alert name").isNotEmpty();
        expressions.add(rule.get("expr").asText());
        alerts++;
      }
    }
    assertThat(alerts).isGreaterThanOrEqualTo(8);
    Set<String> used = new TreeSet<>();
    for (String expr : expressions) {
      Matcher m = METRIC.matcher(expr);
      boolean any = false;
      while (m.find()) {
        used.add(m.group());
        any = true;
      }
      assertThat(any).as("a metric in %s", expr).isTrue();
    }
    assertThat(used).hasSizeGreaterThan(15);

    try (TestOrigin origin = TestOrigin.start();
        GatewayFixture gw =
            GatewayFixture.start(
                """
                admin:
                  address: 127.0.0.1:0
                services:
                  - name: backend
                    targets: [ "%s" ]
                    health:
                      passive: {}
                routes:
                  - name: open
                    paths: [ "/hello" ]
                    service: backend
                    plugins:
                      rate-limit: { limits: [ { requests: 1000, window: 1m } ], key: global }
                  - name: keyed
                    paths: [ "/keyed" ]
                    service: backend
                    plugins:
                      key-auth: {}
                consumers:
                  - name: alice
                    credentials:
                      key-auth: { key: "%s" }
                """
                    .formatted(origin.authority(), MetricsEndToEndTest.sha256("alice-key")))) {
      gw.get("/hello");
      gw.get("/keyed");
      gw.send(HttpRequest.newBuilder(gw.uri("/keyed")).header("apikey", "alice-key"));
      System.gc();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                Set<String> served = new ScrapeText(gw.admin("/metrics").body()).names();
                assertThat(served).containsAll(used);
              });
    }
  }

  private static void collectExpressions(JsonNode node, List<String> into) {
    if (node.isObject()) {
      for (var e : node.properties()) {
        if (e.getKey().equals("expr")) {
          into.add(e.getValue().asText());
        } else {
          collectExpressions(e.getValue(), into);
        }
      }
    } else if (node.isArray()) {
      node.forEach(n -> collectExpressions(n, into));
    }
  }
}
