package io.portico.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.snapshot.ReloadResult;
import io.portico.testing.GatewayFixture;
import io.portico.testing.LogCapture;
import io.portico.testing.OriginPerTest;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hot reload of a running gateway, through {@link Gateway#reload()} and the admin listener's {@code
 * POST /reload}: a valid config is swapped in, an invalid one is refused with every problem while
 * the old one keeps serving, exchanges in flight finish on the config they started with, and warm
 * upstream connections survive.
 */
class HotReloadTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension final OriginPerTest env = new OriginPerTest();
  private GatewayFixture gw;

  @BeforeEach
  void start() throws Exception {
    gw = env.start(config("old"));
  }

  /** One route named {@code route} on {@code /<route>}, stripped before forwarding. */
  private String config(String route) {
    return """
        admin:
          address: 127.0.0.1:0
        services:
          - name: backend
            targets: [ "%s" ]
        routes:
          - name: %s
            paths: [ "/%s" ]
            strip-prefix: true
            service: backend
        """
        .formatted(env.origin().authority(), route, route);
  }

  @Test
  void reloadServesANewRouteAndRemovesTheOldOne() throws Exception {
    assertThat(gw.get("/old/hello").statusCode()).isEqualTo(200);
    String before = gw.gateway().version();

    gw.rewriteConfig(config("new"));
    ReloadResult result = gw.gateway().reload();

    assertThat(result.applied()).isTrue();
    assertThat(result.problems().isEmpty()).isTrue();
    assertThat(result.version()).isNotEqualTo(before).isEqualTo(gw.gateway().version());
    HttpResponse<String> added = gw.get("/new/hello");
    assertThat(added.statusCode()).isEqualTo(200);
    assertThat(added.body()).isEqualTo("Hello, World!");
    assertThat(gw.get("/old/hello").statusCode()).isEqualTo(404);
  }

  @Test
  void adminPostReloadAppliesTheChangedConfig() throws Exception {
    gw.rewriteConfig(config("new"));

    HttpResponse<String> r = gw.adminPost("/reload");

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("applied").asBoolean()).isTrue();
    assertThat(body.get("version").asText()).isEqualTo(gw.gateway().version());
    assertThat(body.get("problems")).isEmpty();
    assertThat(gw.get("/new/hello").statusCode()).isEqualTo(200);
    assertThat(gw.get("/old/hello").statusCode()).isEqualTo(404);
  }

  @Test
  void aReloadThatLeavesNoRoutesWarnsInTheLogAndInPostReloadsAnswer() throws Exception {
    assertThat(JSON.readTree(gw.adminPost("/reload").body()).get("warnings")).isEmpty();
    gw.rewriteConfig(
        """
        admin:
          address: 127.0.0.1:0
        services:
          - name: backend
            targets: [ "%s" ]
        """
            .formatted(env.origin().authority()));

    HttpResponse<String> r;
    List<String> logged;
    try (LogCapture log = LogCapture.capture()) {
      r = gw.adminPost("/reload");
      logged = log.warnings();
    }

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("applied").asBoolean()).isTrue();
    assertThat(body.get("warnings")).hasSize(1);
    assertThat(body.get("warnings").get(0).asText())
        .startsWith("no routes, so every request is answered 404 (no_route). Add a route")
        .contains("POST /routes");
    assertThat(logged)
        .anySatisfy(w -> assertThat(w).contains("no routes, so every request is answered 404"));
    assertThat(gw.get("/old/hello").statusCode()).isEqualTo(404);
  }

  @Test
  void adminRejectsAnInvalidConfigWith422ListingEveryProblemWithItsPlace() throws Exception {
    String before = gw.gateway().version();
    gw.rewriteConfig(
        """
        admin:
          address: 127.0.0.1:0
        services:
          - name: backend
            targets: [ "%s" ]
        routes:
          - name: broken
            paths: [ "users/{id" ]
            service: backnd
        limts: {}
        """
            .formatted(env.origin().authority()));

    HttpResponse<String> r = gw.adminPost("/reload");

    assertThat(r.statusCode()).isEqualTo(422);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("applied").asBoolean()).isFalse();
    assertThat(body.get("version").asText()).isEqualTo(before);
    List<String> problems = new ArrayList<>();
    body.get("problems").forEach(p -> problems.add(p.asText()));
    assertThat(problems).hasSize(3);
    assertThat(problems)
        .allSatisfy(p -> assertThat(p).matches("\\S*portico\\.yaml:\\d+:\\d+: .+"))
        .anySatisfy(p -> assertThat(p).contains("routes[0].paths[0]").contains("users/{id"))
        .anySatisfy(p -> assertThat(p).contains("routes[0].service").contains("backnd"))
        .anySatisfy(p -> assertThat(p).contains("limts"));
    assertThat(gw.gateway().version()).isEqualTo(before);
    assertThat(gw.get("/old/hello").statusCode()).isEqualTo(200);
  }

  @Test
  void reloadOfAnInvalidConfigReturnsItsProblemsAndKeepsTheOldConfigServing() throws Exception {
    String before = gw.gateway().version();
    gw.rewriteConfig(config("new").replace("service: backend", "service: nowhere"));

    ReloadResult result = gw.gateway().reload();

    assertThat(result.applied()).isFalse();
    assertThat(result.version()).isEqualTo(before);
    assertThat(result.problems().render()).contains("routes[0].service").contains("nowhere");
    assertThat(gw.get("/old/hello").statusCode()).isEqualTo(200);
    assertThat(gw.get("/new/hello").statusCode()).isEqualTo(404);
  }

  @Test
  void reloadRefusesARouteThatMatchesWhatAnotherRouteMatchesNamingBoth() throws Exception {
    String before = gw.gateway().version();
    gw.rewriteConfig(
        config("old")
            + """
              - name: old-again
                paths: [ "/old" ]
                strip-prefix: true
                service: backend
            """);

    ReloadResult result = gw.gateway().reload();

    assertThat(result.applied()).isFalse();
    assertThat(result.version()).isEqualTo(before);
    assertThat(result.problems().render())
        .contains(
            gw.configFile()
                + ":13:5: routes[1]: route \"old-again\" matches the same requests as route"
                + " \"old\" ("
                + gw.configFile()
                + ":9:5: routes[0])");
    assertThat(gw.get("/old/hello").statusCode()).isEqualTo(200);
  }

  @Test
  void requestInFlightFinishesOnItsSnapshotWhenAReloadRemovesItsRoute() throws Exception {
    CompletableFuture<HttpResponse<String>> slow =
        gw.client()
            .sendAsync(
                HttpRequest.newBuilder(gw.uri("/old/delay/500"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(5)).until(() -> env.origin().requestCount() == 1);

    gw.rewriteConfig(config("new"));
    assertThat(gw.gateway().reload().applied()).isTrue();
    assertThat(gw.get("/old/hello").statusCode()).isEqualTo(404);

    HttpResponse<String> r = slow.get(10, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("late");
    await()
        .atMost(Duration.ofSeconds(2))
        .until(() -> gw.records().stream().anyMatch(rec -> "/old/delay/500".equals(rec.path())));
    assertThat(gw.records())
        .filteredOn(rec -> "/old/delay/500".equals(rec.path()))
        .singleElement()
        .satisfies(rec -> assertThat(rec.route()).isEqualTo("old"));
  }

  @Test
  void reloadKeepsWarmUpstreamConnections() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(gw.get("/old/hello").statusCode()).isEqualTo(200);
    }
    assertThat(env.origin().connections()).isEqualTo(1);

    gw.rewriteConfig(config("new"));
    assertThat(gw.gateway().reload().applied()).isTrue();
    for (int i = 0; i < 3; i++) {
      assertThat(gw.get("/new/hello").statusCode()).isEqualTo(200);
    }

    assertThat(env.origin().connections()).isEqualTo(1);
    assertThat(env.origin().requestCount()).isEqualTo(6);
  }
}
