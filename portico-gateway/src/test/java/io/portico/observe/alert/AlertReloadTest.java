package io.portico.observe.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.testing.GatewayFixture;
import io.portico.testing.TestOrigin;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alert rules follow reloads (added, changed, removed) and silences created through the admin API
 * survive a restart, end to end: a real origin answering 500, a webhook receiver of the test, the
 * admin store on disk.
 */
class AlertReloadTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path store;
  private TestOrigin origin;
  private WebhookReceiver hooks;
  private GatewayFixture gw;

  @BeforeEach
  void start() throws Exception {
    origin = TestOrigin.start();
    hooks = new WebhookReceiver("secret");
  }

  @AfterEach
  void stop() throws Exception {
    if (gw != null) {
      gw.close();
    }
    hooks.close();
    origin.close();
  }

  private String config(String rules) throws Exception {
    return """
        admin:
          address: 127.0.0.1:0
          store: %s
          tokens:
            - { name: ops, hash: "%s", role: read-write }
        services:
          - name: backend
            targets: [ "%s" ]
        routes:
          - name: api
            paths: [ "/status" ]
            service: backend
        alerts:
          evaluation-interval: 100ms
          notifiers:
            - name: hook
              type: webhook
              url: %s
              secret: secret
          rules:
        %s
        """
        .formatted(
            store.resolve("admin-store"),
            AlertingEndToEndTest.sha256("ops-token"),
            origin.authority(),
            hooks.url(),
            rules.indent(4).stripTrailing());
  }

  private static final String ERRORS =
      "- { name: api-errors, kind: error-rate, route: api, threshold: 0.5, window: 2s }";

  private HttpResponse<String> admin(String method, String path, String body) throws Exception {
    return gw.adminAs("ops-token", method, path, body);
  }

  private JsonNode rules() throws Exception {
    return JSON.readTree(admin("GET", "/alerts", null).body()).path("rules");
  }

  private static JsonNode rule(JsonNode rules, String name) {
    for (JsonNode r : rules) {
      if (r.path("name").asText().equals(name)) {
        return r;
      }
    }
    return null;
  }

  private void reload(String rules) throws Exception {
    gw.rewriteConfig(config(rules));
    assertThat(admin("POST", "/reload", null).statusCode()).isEqualTo(200);
  }

  @Test
  void rulesAreAddedChangedAndRemovedByAReloadAndARemovedFiringAlertResolves() throws Exception {
    gw = GatewayFixture.start(config(ERRORS));
    for (int i = 0; i < 4; i++) {
      assertThat(gw.get("/status/500").statusCode()).isEqualTo(500);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(hooks.of("api-errors", "firing")).hasSize(1));
    JsonNode firing = hooks.of("api-errors", "firing").get(0).body();

    // A changed threshold, same labels: the same alert, still firing, not notified again.
    reload(
        ERRORS.replace("threshold: 0.5", "threshold: 0.4")
            + "\n"
            + "- { name: slow, kind: latency, route: api, threshold: 10s }");
    JsonNode rules = rules();
    assertThat(rule(rules, "slow")).as("an added rule").isNotNull();
    JsonNode changed = rule(rules, "api-errors");
    assertThat(changed.path("state").asText()).isEqualTo("firing");
    assertThat(changed.path("threshold").asDouble()).isEqualTo(0.4);
    assertThat(changed.path("starts_at").asText()).isEqualTo(firing.path("startsAt").asText());
    for (int i = 0; i < 4; i++) {
      gw.get("/status/500");
    }

    // The rule removed while firing: its notifiers are told it resolved.
    reload("- { name: slow, kind: latency, route: api, threshold: 10s }");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(hooks.of("api-errors", "resolved")).hasSize(1));
    WebhookReceiver.Received resolved = hooks.of("api-errors", "resolved").get(0);
    assertThat(resolved.verified()).isTrue();
    assertThat(resolved.body().path("fingerprint")).isEqualTo(firing.path("fingerprint"));
    assertThat(resolved.body().path("startsAt")).isEqualTo(firing.path("startsAt"));
    assertThat(resolved.body().path("endsAt").isTextual()).isTrue();
    assertThat(resolved.body().path("summary").asText()).contains("rule removed");
    assertThat(hooks.of("api-errors", "firing")).as("never fired again").hasSize(1);
    assertThat(rule(rules(), "api-errors")).isNull();
  }

  @Test
  void silencesCreatedThroughTheAdminApiSurviveARestart() throws Exception {
    gw = GatewayFixture.start(config(ERRORS));
    HttpResponse<String> created =
        admin(
            "POST",
            "/alerts/silences",
            "{\"matchers\": {\"rule\": \"api-errors\"}, \"duration\": \"2h\", \"comment\": \"fix\"}");
    assertThat(created.statusCode()).isEqualTo(201);
    String kept = JSON.readTree(created.body()).path("id").asText();
    HttpResponse<String> other =
        admin(
            "POST", "/alerts/silences", "{\"matchers\": {\"rule\": \"x\"}, \"duration\": \"1h\"}");
    String deleted = JSON.readTree(other.body()).path("id").asText();
    assertThat(admin("DELETE", "/alerts/silences/" + deleted, null).statusCode()).isEqualTo(204);
    Path file = store.resolve("admin-store").resolve(Alerting.SILENCES_FILE);
    assertThat(Files.readString(file)).contains(kept).doesNotContain(deleted);

    gw.close();
    gw = GatewayFixture.start(config(ERRORS));

    JsonNode silences = JSON.readTree(admin("GET", "/alerts/silences", null).body());
    List<String> ids =
        silences.path("silences").findValues("id").stream().map(JsonNode::asText).toList();
    assertThat(ids).containsExactly(kept);
    JsonNode s = silences.path("silences").get(0);
    assertThat(s.path("comment").asText()).isEqualTo("fix");
    assertThat(s.path("created_by").asText()).isEqualTo("ops");
    assertThat(s.path("matchers")).isEqualTo(JSON.readTree("{\"rule\": \"api-errors\"}"));

    // And it still silences: the alert fires without a notification.
    for (int i = 0; i < 4; i++) {
      gw.get("/status/500");
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              JsonNode r = rule(rules(), "api-errors");
              assertThat(r.path("state").asText()).isEqualTo("firing");
              assertThat(r.path("silenced_by").get(0).asText()).isEqualTo(kept);
            });
    assertThat(hooks.of("api-errors")).isEmpty();
  }
}
