package io.portico.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portico.testing.GatewayFixture;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Mirroring end to end: a real primary and a real shadow (recording, slow, or absent), the gateway
 * in-process.
 */
class MirrorEndToEndTest {

  private RecordingOrigin primary;

  @BeforeEach
  void startPrimary() throws Exception {
    primary = RecordingOrigin.start("primary");
  }

  @AfterEach
  void stopPrimary() {
    primary.close();
  }

  private String config(String shadowTarget, String mirror) {
    return """
        services:
          - name: app
            targets: [ "%s" ]
          - name: shadow
            targets: [ "%s" ]
            timeouts: { connect: 500ms, response: 10s }
        routes:
          - name: api
            paths: [/api/]
            service: app
            mirror: %s
        """
        .formatted(primary.target(), shadowTarget, mirror);
  }

  private static MirrorPlan plan(GatewayFixture gw) {
    return gw.gateway().snapshot().routes().get("api").traffic().mirror();
  }

  @Test
  void theShadowGetsACopyWithHeadersAndBodyWhileThePrimaryAnswers() throws Exception {
    try (RecordingOrigin shadow = RecordingOrigin.start("shadow");
        GatewayFixture gw =
            GatewayFixture.start(
                config(shadow.target(), "{ service: shadow, host-suffix: -shadow }"))) {
      HttpResponse<String> r =
          gw.send(
              HttpRequest.newBuilder(gw.uri("/api/orders?id=7"))
                  .header("X-Test", "abc")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"item\":\"lamp\"}")));
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("primary");
      assertThat(r.headers().firstValue("x-portico-mirror")).isEmpty();
      await().atMost(5, TimeUnit.SECONDS).until(() -> shadow.seen().size() == 1);
      RecordingOrigin.Seen copy = shadow.seen().get(0);
      RecordingOrigin.Seen original = primary.seen().get(0);
      assertThat(copy.method()).isEqualTo("POST");
      assertThat(copy.path()).isEqualTo("/api/orders?id=7");
      assertThat(copy.body()).isEqualTo("{\"item\":\"lamp\"}");
      assertThat(copy.header("X-Test")).isEqualTo("abc");
      assertThat(copy.header("X-Request-Id")).isEqualTo(original.header("X-Request-Id"));
      assertThat(copy.header("X-Portico-Mirror")).isEqualTo("1");
      assertThat(original.header("X-Portico-Mirror")).isNull();
      assertThat(copy.header("Host")).isEqualTo(shadow.target().replace(":", "-shadow:"));
      // A chunked body is copied too.
      gw.send(
          HttpRequest.newBuilder(gw.uri("/api/stream"))
              .POST(
                  HttpRequest.BodyPublishers.ofInputStream(
                      () -> new java.io.ByteArrayInputStream("chunked body".getBytes()))));
      await().atMost(5, TimeUnit.SECONDS).until(() -> shadow.seen().size() == 2);
      assertThat(shadow.seen().get(1).body()).isEqualTo("chunked body");
      assertThat(shadow.seen().get(1).path()).isEqualTo("/api/stream");
    }
  }

  @Test
  void aShadowThatSleepsFiveSecondsDoesNotSlowThePrimary() throws Exception {
    try (RecordingOrigin shadow = RecordingOrigin.slow("shadow", Duration.ofSeconds(5));
        GatewayFixture gw = GatewayFixture.start(config(shadow.target(), "{ service: shadow }"))) {
      long start = System.nanoTime();
      for (int i = 0; i < 20; i++) {
        HttpResponse<String> r =
            gw.send(
                HttpRequest.newBuilder(gw.uri("/api/" + i))
                    .POST(HttpRequest.BodyPublishers.ofString("n=" + i)));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("primary");
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
      // The copies did reach the shadow, which is still sleeping on them.
      await().atMost(5, TimeUnit.SECONDS).until(() -> shadow.seen().size() == 20);
      assertThat(plan(gw).sent()).isEqualTo(20);
      assertThat(plan(gw).answered()).isZero();
    }
  }

  @Test
  void aShadowThatIsDownNeitherFailsNorSlowsThePrimary() throws Exception {
    String closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = "127.0.0.1:" + s.getLocalPort();
    }
    try (GatewayFixture gw = GatewayFixture.start(config(closedPort, "{ service: shadow }"))) {
      List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        all.add(
            gw.client()
                .sendAsync(
                    HttpRequest.newBuilder(gw.uri("/api/" + i)).build(),
                    HttpResponse.BodyHandlers.ofString()));
      }
      for (CompletableFuture<HttpResponse<String>> f : all) {
        HttpResponse<String> r = f.get(5, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("primary");
      }
      assertThat(primary.seen()).hasSize(50);
      await().atMost(5, TimeUnit.SECONDS).until(() -> plan(gw).failed() == 50);
      assertThat(gw.records()).allSatisfy(rec -> assertThat(rec.service()).isEqualTo("app"));
    }
  }

  @Test
  void aBodyOverTheCapIsNotMirroredButStillForwarded() throws Exception {
    try (RecordingOrigin shadow = RecordingOrigin.start("shadow");
        GatewayFixture gw =
            GatewayFixture.start(
                config(shadow.target(), "{ service: shadow, max-body-size: 16 }"))) {
      String big = "x".repeat(100);
      HttpResponse<String> r =
          gw.send(
              HttpRequest.newBuilder(gw.uri("/api/big"))
                  .POST(HttpRequest.BodyPublishers.ofString(big)));
      assertThat(r.statusCode()).isEqualTo(200);
      // Chunked, so the cap is found while copying rather than from Content-Length.
      r =
          gw.send(
              HttpRequest.newBuilder(gw.uri("/api/big-chunked"))
                  .POST(
                      HttpRequest.BodyPublishers.ofInputStream(
                          () -> new java.io.ByteArrayInputStream(big.getBytes()))));
      assertThat(r.statusCode()).isEqualTo(200);
      gw.send(
          HttpRequest.newBuilder(gw.uri("/api/small"))
              .POST(HttpRequest.BodyPublishers.ofString("tiny")));
      await().atMost(5, TimeUnit.SECONDS).until(() -> shadow.seen().size() >= 1);
      assertThat(shadow.seen())
          .extracting(RecordingOrigin.Seen::path)
          .containsExactly("/api/small");
      assertThat(primary.seen())
          .extracting(RecordingOrigin.Seen::body)
          .containsExactly(big, big, "tiny");
    }
  }

  @Test
  void theAdminApiShowsTheSplitAndTheMirrorsCountsOnARouteWithBoth() throws Exception {
    String closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = "127.0.0.1:" + s.getLocalPort();
    }
    String yaml =
        "admin:\n  address: 127.0.0.1:0\n"
            + config(closedPort, "{ service: shadow }")
            + """
                traffic-split:
                  rules:
                    - match: { headers: { x-canary: "1" } }
                      services: [ { service: shadow } ]
            """;
    try (GatewayFixture gw = GatewayFixture.start(yaml)) {
      for (int i = 0; i < 4; i++) {
        assertThat(gw.get("/api/" + i).body()).isEqualTo("primary");
      }
      await().atMost(5, TimeUnit.SECONDS).until(() -> plan(gw).failed() == 4);
      com.fasterxml.jackson.databind.JsonNode route =
          new com.fasterxml.jackson.databind.ObjectMapper()
              .readTree(gw.admin("/routes").body())
              .path("routes")
              .get(0);
      assertThat(route.path("mirror").path("service").asText()).isEqualTo("shadow");
      assertThat(route.path("mirror").path("sent").asLong()).isEqualTo(4);
      assertThat(route.path("mirror").path("failed").asLong()).isEqualTo(4);
      assertThat(route.path("traffic_split").path("rules").get(0).toString())
          .isEqualTo(
              "{\"match\":{\"headers\":{\"x-canary\":[\"1\"]}},"
                  + "\"services\":[{\"service\":\"shadow\",\"weight\":1}]}");
    }
  }

  @Test
  void splitsAndMirrorsHttp2RequestsLikeHttp1Ones() throws Exception {
    try (RecordingOrigin shadow = RecordingOrigin.start("shadow");
        RecordingOrigin canary = RecordingOrigin.start("canary")) {
      String yaml =
          config(shadow.target(), "{ service: shadow }")
                  .replace(
                      "routes:",
                      "  - name: canary\n    targets: [ \"" + canary.target() + "\" ]\nroutes:")
              + """
                traffic-split:
                  rules:
                    - match: { headers: { x-canary: "1" } }
                      services: [ { service: canary } ]
            """;
      try (GatewayFixture gw = GatewayFixture.start(yaml)) {
        java.net.http.HttpClient h2 =
            java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_2)
                .build();
        HttpResponse<String> first =
            h2.send(
                HttpRequest.newBuilder(gw.uri("/api/warm")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(first.body()).isEqualTo("primary");
        HttpResponse<String> r =
            h2.send(
                HttpRequest.newBuilder(gw.uri("/api/h2"))
                    .header("X-Canary", "1")
                    .POST(HttpRequest.BodyPublishers.ofString("over h2"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
        assertThat(r.body()).isEqualTo("canary");
        await().atMost(5, TimeUnit.SECONDS).until(() -> shadow.seen().size() == 2);
        RecordingOrigin.Seen copy = shadow.seen().get(1);
        assertThat(copy.path()).isEqualTo("/api/h2");
        assertThat(copy.body()).isEqualTo("over h2");
        assertThat(copy.header("X-Canary")).isEqualTo("1");
        assertThat(canary.seen()).extracting(RecordingOrigin.Seen::body).containsExactly("over h2");
      }
    }
  }

  @Test
  void aBodyAPluginRewroteIsMirroredAsItGoesToThePrimary() throws Exception {
    try (RecordingOrigin shadow = RecordingOrigin.start("shadow")) {
      String yaml =
          config(shadow.target(), "{ service: shadow }")
              + """
                plugins:
                  request-transformer:
                    body:
                      remove: [ /password ]
            """;
      try (GatewayFixture gw = GatewayFixture.start(yaml)) {
        HttpResponse<String> r =
            gw.send(
                HttpRequest.newBuilder(gw.uri("/api/users"))
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"name\":\"Ann\",\"password\":\"x\"}")));
        assertThat(r.body()).isEqualTo("primary");
        await().atMost(5, TimeUnit.SECONDS).until(() -> shadow.seen().size() == 1);
        assertThat(shadow.seen().get(0).body())
            .isEqualTo(primary.seen().get(0).body())
            .isEqualTo("{\"name\":\"Ann\"}");
      }
    }
  }

  @Test
  void aPercentMirrorsExactlyThatShare() throws Exception {
    try (RecordingOrigin shadow = RecordingOrigin.start("shadow");
        GatewayFixture gw =
            GatewayFixture.start(config(shadow.target(), "{ service: shadow, percent: 10 }"))) {
      for (int i = 0; i < 100; i++) {
        assertThat(gw.get("/api/" + i).statusCode()).isEqualTo(200);
      }
      gw.get("/api/last");
      await().atMost(5, TimeUnit.SECONDS).until(() -> shadow.seen().size() >= 10);
      // Exactly one in ten: the 101st request is not mirrored.
      assertThat(primary.seen()).hasSize(101);
      assertThat(shadow.seen()).hasSize(10);
    }
  }
}
