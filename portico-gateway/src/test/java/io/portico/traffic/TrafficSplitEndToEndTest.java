package io.portico.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portico.config.ConfigFiles;
import io.portico.observe.ExchangeRecord;
import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.Problem;
import io.portico.testing.GatewayFixture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Traffic split end to end: real origins, the gateway in-process, many real requests. */
class TrafficSplitEndToEndTest {

  private RecordingOrigin v1;
  private RecordingOrigin v2;
  private RecordingOrigin v3;

  @BeforeEach
  void startOrigins() throws Exception {
    v1 = RecordingOrigin.start("v1");
    v2 = RecordingOrigin.start("v2");
    v3 = RecordingOrigin.start("v3");
  }

  @AfterEach
  void stopOrigins() {
    v1.close();
    v2.close();
    v3.close();
  }

  private String services() {
    return """
        services:
          - name: v1
            targets: [ "%s" ]
          - name: v2
            targets: [ "%s" ]
          - name: v3
            targets: [ "%s" ]
        """
        .formatted(v1.target(), v2.target(), v3.target());
  }

  private String route(String split) {
    return services()
        + "routes:\n  - name: api\n    paths: [/api/]\n    service: v1\n    traffic-split:\n"
        + split.indent(6);
  }

  private static Map<String, Integer> count(GatewayFixture gw, int n, HttpRequest.Builder req)
      throws Exception {
    Map<String, Integer> out = new HashMap<>();
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = gw.send(req);
      assertThat(r.statusCode()).isEqualTo(200);
      out.merge(r.body(), 1, Integer::sum);
    }
    return out;
  }

  private static HttpRequest.Builder get(GatewayFixture gw, String path) {
    return HttpRequest.newBuilder(gw.uri(path));
  }

  @Test
  void splitsExactlyByWeightOverAThousandRequestsAndLogsTheServiceUsed() throws Exception {
    String yaml =
        route(
            """
            rules:
              - services:
                  - { service: v1, weight: 90 }
                  - { service: v2, weight: 10 }
            """);
    try (GatewayFixture gw = GatewayFixture.start(yaml)) {
      Map<String, Integer> counts = count(gw, 1000, get(gw, "/api/x"));
      assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of("v1", 900, "v2", 100));
      await().atMost(5, TimeUnit.SECONDS).until(() -> gw.records().size() == 1000);
      Map<String, Integer> logged = new HashMap<>();
      for (ExchangeRecord r : gw.records()) {
        logged.merge(r.service(), 1, Integer::sum);
      }
      assertThat(logged).isEqualTo(Map.of("v1", 900, "v2", 100));
    }
  }

  @Test
  void threeWayWeightsAreExactAndInterleaved() throws Exception {
    String yaml =
        route(
            """
            rules:
              - services:
                  - { service: v1, weight: 5 }
                  - { service: v2, weight: 3 }
                  - { service: v3, weight: 2 }
            """);
    try (GatewayFixture gw = GatewayFixture.start(yaml)) {
      StringBuilder firstCycle = new StringBuilder();
      for (int i = 0; i < 10; i++) {
        firstCycle.append(gw.get("/api/").body().charAt(1));
      }
      // Smooth weighted round-robin: never all of v1 in a run.
      assertThat(firstCycle.toString()).doesNotContain("11111");
      Map<String, Integer> counts = count(gw, 990, get(gw, "/api/"));
      counts.merge("v1", (int) firstCycle.chars().filter(c -> c == '1').count(), Integer::sum);
      counts.merge("v2", (int) firstCycle.chars().filter(c -> c == '2').count(), Integer::sum);
      counts.merge("v3", (int) firstCycle.chars().filter(c -> c == '3').count(), Integer::sum);
      assertThat(counts).isEqualTo(Map.of("v1", 500, "v2", 300, "v3", 200));
    }
  }

  @Test
  void headerQueryAndCookieConditionsChooseTheirRuleAndOthersGoToTheRouteService()
      throws Exception {
    String yaml =
        route(
            """
            rules:
              - match: { headers: { x-canary: "1" } }
                services: [ { service: v2 } ]
              - match: { query: { beta: [ "yes", "true" ] } }
                services: [ { service: v3 } ]
              - match: { cookies: { group: b }, headers: { x-region: eu } }
                services: [ { service: v2, weight: 1 }, { service: v3, weight: 1 } ]
            """);
    try (GatewayFixture gw = GatewayFixture.start(yaml)) {
      assertThat(gw.get("/api/a").body()).isEqualTo("v1");
      assertThat(gw.send(get(gw, "/api/a").header("X-Canary", "1")).body()).isEqualTo("v2");
      assertThat(gw.send(get(gw, "/api/a").header("X-Canary", "2")).body()).isEqualTo("v1");
      assertThat(gw.get("/api/a?beta=yes").body()).isEqualTo("v3");
      assertThat(gw.get("/api/a?x=1&beta=true").body()).isEqualTo("v3");
      assertThat(gw.get("/api/a?beta=no").body()).isEqualTo("v1");
      // Both conditions of the third rule must hold.
      assertThat(gw.send(get(gw, "/api/a").header("Cookie", "a=1; group=b")).body())
          .isEqualTo("v1");
      Map<String, Integer> both =
          count(
              gw, 10, get(gw, "/api/a").header("Cookie", "a=1; group=b").header("X-Region", "eu"));
      assertThat(both).isEqualTo(Map.of("v2", 5, "v3", 5));
      // The first rule that holds wins.
      assertThat(gw.send(get(gw, "/api/a?beta=yes").header("X-Canary", "1")).body())
          .isEqualTo("v2");
    }
  }

  @Test
  void aStickyKeyAlwaysGetsTheSameServiceWhileTheSharesHoldOverManyKeys() throws Exception {
    String yaml =
        route(
            """
            hash-on: header
            hash-key: x-user
            rules:
              - services:
                  - { service: v1, weight: 50 }
                  - { service: v2, weight: 50 }
            """);
    try (GatewayFixture gw = GatewayFixture.start(yaml)) {
      Map<String, Integer> perService = new HashMap<>();
      for (int u = 0; u < 200; u++) {
        Set<String> got = new HashSet<>();
        for (int i = 0; i < 3; i++) {
          got.add(gw.send(get(gw, "/api/").header("X-User", "user-" + u)).body());
        }
        assertThat(got).hasSize(1);
        perService.merge(got.iterator().next(), 1, Integer::sum);
      }
      assertThat(perService.get("v1")).isBetween(60, 140);
      assertThat(perService.get("v2")).isBetween(60, 140);
    }
  }

  @Test
  void reportsEveryProblemOfASplitWithItsLine(@TempDir Path dir) throws Exception {
    String yaml =
        services()
            + """
            routes:
              - name: api
                paths: [/api/]
                traffic-split:
                  hash-on: header
                  rules:
                    - services: [ { service: v1 } ]
                    - match: { headers: { x-canary: "1" } }
                      services: [ { service: v9, weight: 1 }, { service: v2, weight: 0 } ]
                    - services: [ { service: v1, weight: 0 } ]
                mirror: { service: shadow, percent: 120 }
            """;
    Path file = dir.resolve("portico.yaml");
    Files.writeString(file, yaml);
    List<Problem> problems =
        ConfigFiles.load(file, Map.of(), PluginRegistry.load(getClass().getClassLoader()))
            .problems()
            .list();
    String text = problems.toString();
    assertThat(text)
        .contains("traffic-split without service")
        .contains("hash-on: header needs hash-key")
        .contains("which matches every request")
        .contains("\"v9\"")
        .contains("did you mean \"v1\"")
        .contains("at least one service with a weight above 0")
        .contains("\"shadow\"")
        .contains("a number from 0 to 100");
    assertThat(problems).allSatisfy(p -> assertThat(p.toString()).contains("portico.yaml:"));
  }
}
