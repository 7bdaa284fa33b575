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
 * {@code /metrics} really serves: a gateway with every source the files chart (an access log,
 * tracing, alerting) is started, given traffic of every kind they chart (proxied, failed upstream,
 * refused by a plugin, rate-limited, authenticated), scraped, and every expression (panel queries,
 * template variables, alert rules) is checked: each metric name it uses must be in the scrape, each
 * label it matches on must be a label of that metric, each value it matches exactly must be one the
 * metric has, and each label it groups by must be a label of one of its metrics.
 */
class ObservabilityFilesTest {

  private static final Path DIR = Path.of("").toAbsolutePath().getParent().resolve("observability");
  private static final Pattern METRIC = Pattern.compile("\\b(?:portico|jvm|process)_[a-z0-9_]+\\b");
  private static final Pattern SELECTOR =
      Pattern.compile("\\b((?:portico|jvm|process)_[a-z0-9_]+)\\{([^}]*)}");
  private static final Pattern MATCHER =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"([^\"]*)\"");
  private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without)\\s*\\(([^)]*)\\)");
  private static final Pattern LABEL_VALUES =
      Pattern.compile("label_values\\(\\s*([a-z0-9_]+)\\s*,\\s*([a-z_]+)\\s*\\)");

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
    assertThat(alerts).isGreaterThanOrEqualTo(16);
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

    int closed;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    try (TestOrigin origin = TestOrigin.start();
        GatewayFixture gw =
            GatewayFixture.start(
                """
                admin:
                  address: 127.0.0.1:0
                tracing:
                  endpoint: http://127.0.0.1:%d
                  sample-ratio: 1
                alerts:
                  evaluation-interval: 1s
                  notifiers: [ { name: log, type: log } ]
                  rules: [ { name: bad-reload, kind: reload-failed } ]
                runtime:
                  io-threads: 1
                  watch-config: false
                  shutdown-timeout: 1s
                  access-log:
                    sinks: [ { type: file, name: local, path: access.log } ]
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
                  - name: limited
                    paths: [ "/status" ]
                    service: backend
                    plugins:
                      rate-limit: { limits: [ { requests: 1, window: 1h } ], key: global }
                  - name: keyed
                    paths: [ "/keyed" ]
                    service: backend
                    plugins:
                      key-auth: {}
                  - name: jwks-down
                    paths: [ "/jwks-down" ]
                    service: backend
                    plugins:
                      jwt:
                        algorithms: [ RS256 ]
                        issuers: [ { issuer: "https://own.example", jwks-url: "http://127.0.0.1:1/jwks" } ]
                consumers:
                  - name: alice
                    credentials:
                      key-auth: { key: "%s" }
                """
                    .formatted(
                        closed, origin.authority(), MetricsEndToEndTest.sha256("alice-key")))) {
      gw.get("/hello");
      assertThat(gw.get("/status/500").statusCode()).isEqualTo(500);
      assertThat(gw.get("/status/500").statusCode()).isEqualTo(429);
      gw.get("/keyed");
      gw.send(HttpRequest.newBuilder(gw.uri("/keyed")).header("apikey", "alice-key"));
      assertThat(
              gw.send(
                      HttpRequest.newBuilder(gw.uri("/jwks-down"))
                          .header("Authorization", "Bearer " + unverifiedJwt()))
                  .statusCode())
          .isEqualTo(503);
      System.gc();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                Set<String> served = new ScrapeText(gw.admin("/metrics").body()).names();
                assertThat(served).containsAll(used);
              });
      ScrapeText scrape = new ScrapeText(gw.admin("/metrics").body());
      for (String expr : expressions) {
        checkLabels(expr, scrape);
      }
      checkDocumented(scrape);
    }
  }

  /**
   * Every {@code portico_} metric served is in a table row of {@code docs/observability.md} that
   * names each of its labels.
   */
  private static void checkDocumented(ScrapeText scrape) throws java.io.IOException {
    List<String> rows =
        java.nio.file.Files.readAllLines(DIR.resolveSibling("docs").resolve("observability.md"))
            .stream()
            .filter(l -> l.startsWith("| `"))
            .toList();
    for (String name : scrape.names()) {
      if (!name.startsWith("portico_")) {
        continue;
      }
      String family = name.replaceAll("_(bucket|count|sum|max)$", "");
      String row =
          rows.stream()
              .filter(
                  r -> {
                    String first = r.substring(1, r.indexOf('|', 1));
                    return first.contains("`" + name + "`") || first.contains("`" + family + "`");
                  })
              .findFirst()
              .orElse(null);
      assertThat(row).as("%s documented in observability.md", name).isNotNull();
      for (ScrapeText.Sample sample : scrape.matching(name)) {
        for (String label : sample.labels().keySet()) {
          if (!label.equals("le")) {
            assertThat(row)
                .as("label %s of %s documented", label, name)
                .contains("`" + label + "`");
          }
        }
      }
    }
  }

  /**
   * The labels {@code expr} matches and groups by are labels its metrics have, with such values.
   */
  private static void checkLabels(String expr, ScrapeText scrape) {
    Set<String> labelsOfExpr = new TreeSet<>(Set.of("le"));
    Matcher names = METRIC.matcher(expr);
    while (names.find()) {
      for (ScrapeText.Sample s : scrape.matching(names.group())) {
        labelsOfExpr.addAll(s.labels().keySet());
      }
    }
    Matcher sel = SELECTOR.matcher(expr);
    while (sel.find()) {
      String metric = sel.group(1);
      List<ScrapeText.Sample> series = scrape.matching(metric);
      Matcher m = MATCHER.matcher(sel.group(2));
      while (m.find()) {
        String label = m.group(1);
        assertThat(series)
            .as("%s in %s: a label of %s", label, expr, metric)
            .anySatisfy(s -> assertThat(s.labels()).containsKey(label));
        if (m.group(2).equals("=")) {
          assertThat(series)
              .as("%s=\"%s\" in %s: a value %s has", label, m.group(3), expr, metric)
              .anySatisfy(s -> assertThat(s.labels()).containsEntry(label, m.group(3)));
        }
      }
    }
    Matcher by = GROUPING.matcher(expr);
    while (by.find()) {
      for (String label : by.group(1).split(",")) {
        if (!label.isBlank()) {
          assertThat(labelsOfExpr).as("by %s in %s", label.trim(), expr).contains(label.trim());
        }
      }
    }
    Matcher values = LABEL_VALUES.matcher(expr);
    while (values.find()) {
      String metric = values.group(1);
      String label = values.group(2);
      assertThat(scrape.matching(metric))
          .as("label_values(%s, %s)", metric, label)
          .anySatisfy(s -> assertThat(s.labels()).containsKey(label));
    }
  }

  private static void collectExpressions(JsonNode node, List<String> into) {
    if (node.isObject()) {
      for (var e : node.properties()) {
        if (e.getKey().equals("expr") || (e.getKey().equals("query") && e.getValue().isTextual())) {
          into.add(e.getValue().asText());
        } else {
          collectExpressions(e.getValue(), into);
        }
      }
    } else if (node.isArray()) {
      node.forEach(n -> collectExpressions(n, into));
    }
  }

  /** A well-formed RS256 JWT of {@code https://own.example} whose signature is never checked. */
  private static String unverifiedJwt() {
    java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
    String header = "{\"alg\":\"RS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}";
    String claims =
        "{\"iss\":\"https://own.example\",\"sub\":\"s\",\"exp\":"
            + (System.currentTimeMillis() / 1000 + 300)
            + "}";
    return b64.encodeToString(header.getBytes(java.nio.charset.StandardCharsets.UTF_8))
        + "."
        + b64.encodeToString(claims.getBytes(java.nio.charset.StandardCharsets.UTF_8))
        + "."
        + b64.encodeToString(new byte[256]);
  }
}
