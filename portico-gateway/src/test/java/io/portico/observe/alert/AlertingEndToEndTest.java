package io.portico.observe.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerClass;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Alerting end to end: a real gateway in front of a real origin, faults injected (an upstream
 * answering 500, a service whose only endpoint is down, a config file broken before a reload), and
 * a webhook receiver that checks every signature and sees firing, repeats and resolved.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AlertingEndToEndTest {

  private static final String SECRET = "s3cret-for-hooks";
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final OriginPerClass env = new OriginPerClass();
  private WebhookReceiver hooks;
  private GatewayFixture gw;
  private int closedPort;
  private String config;

  @BeforeAll
  void start() throws Exception {
    hooks = new WebhookReceiver(SECRET);
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    config =
        """
        admin:
          address: 127.0.0.1:0
          tokens:
            - { name: ops, hash: "%s", role: read-write }
            - { name: viewer, hash: "%s", role: read-only }
        services:
          - name: backend
            targets: [ "%s" ]
          - name: dead
            targets: [ "127.0.0.1:%d" ]
            health:
              active: { path: /hello, interval: 100ms, unhealthy-threshold: 1 }
        routes:
          - name: api
            paths: [ "/status" ]
            service: backend
          - name: gone
            paths: [ "/gone" ]
            service: dead
        alerts:
          evaluation-interval: 100ms
          notifiers:
            - name: hook
              type: webhook
              url: %s
              secret: ${ALERT_SECRET}
            - name: down
              type: webhook
              url: http://127.0.0.1:%d/nothing-here
              retries: 1
              backoff: 10ms
              timeout: 1s
            - name: chat
              type: slack
              url: %s
            - name: log
              type: log
          silences:
            - matchers: { team: nobody }
              comment: from the config
          rules:
            - name: api-errors
              kind: error-rate
              route: api
              threshold: 50%%
              resolve-threshold: 0.2
              window: 1s
              severity: critical
              labels: { team: payments }
              notifiers: [ hook, down, chat ]
            - name: api-errors-repeated
              kind: error-rate
              service: backend
              threshold: 0.5
              window: 1s
              repeat-interval: 200ms
              notifiers: [ hook ]
            - name: api-errors-silenced
              kind: error-rate
              route: api
              threshold: 0.5
              window: 1s
              notifiers: [ hook ]
            - name: dead-service
              kind: no-healthy-endpoint
              service: dead
              for: 200ms
              notifiers: [ hook, log ]
            - name: config-reload
              kind: reload-failed
              notifiers: [ hook ]
        """
            .formatted(
                sha256("ops-token"),
                sha256("viewer-token"),
                env.origin().authority(),
                closedPort,
                hooks.url(),
                closedPort,
                hooks.url("/slack"));
    gw = env.start(config, Map.of("ALERT_SECRET", SECRET));
  }

  static String sha256(String text) throws Exception {
    return "sha256:"
        + java.util.HexFormat.of()
            .formatHex(
                java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @AfterAll
  void stop() throws Exception {
    hooks.close();
  }

  private HttpResponse<String> admin(String method, String path, String token, String body)
      throws Exception {
    return gw.adminAs(token, method, path, body);
  }

  private JsonNode alerts() throws Exception {
    HttpResponse<String> r = admin("GET", "/alerts", "viewer-token", null);
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static JsonNode rule(JsonNode alerts, String name) {
    for (JsonNode r : alerts.path("rules")) {
      if (r.path("name").asText().equals(name)) {
        return r;
      }
    }
    throw new AssertionError("no rule " + name + " in " + alerts);
  }

  @Test
  @Order(1)
  void silencesAreCreatedAndDeletedThroughTheAdminApiByWritersOnly() throws Exception {
    String silence = "{\"matchers\": {\"rule\": \"api-errors-silenced\"}, \"duration\": \"1h\"}";
    assertThat(admin("POST", "/alerts/silences", "viewer-token", silence).statusCode())
        .isEqualTo(403);
    assertThat(admin("POST", "/alerts/silences", "ops-token", "{\"matchers\": {}}").statusCode())
        .isEqualTo(400);
    HttpResponse<String> created = admin("POST", "/alerts/silences", "ops-token", silence);
    assertThat(created.statusCode()).isEqualTo(201);
    JsonNode s = JSON.readTree(created.body());
    assertThat(s.path("created_by").asText()).isEqualTo("ops");
    assertThat(Instant.parse(s.path("ends_at").asText()))
        .isAfter(Instant.now().plus(Duration.ofMinutes(59)));

    HttpResponse<String> other =
        admin(
            "POST",
            "/alerts/silences",
            "ops-token",
            "{\"matchers\": {\"severity\": \"info\"}, \"ends_at\": \"2099-01-01T00:00:00Z\"}");
    assertThat(other.statusCode()).isEqualTo(201);
    String otherId = JSON.readTree(other.body()).path("id").asText();
    assertThat(admin("DELETE", "/alerts/silences/" + otherId, "viewer-token", null).statusCode())
        .isEqualTo(403);
    assertThat(admin("DELETE", "/alerts/silences/" + otherId, "ops-token", null).statusCode())
        .isEqualTo(204);
    assertThat(admin("DELETE", "/alerts/silences/" + otherId, "ops-token", null).statusCode())
        .isEqualTo(404);
    assertThat(admin("DELETE", "/alerts/silences/config-1", "ops-token", null).statusCode())
        .isEqualTo(409);

    JsonNode alerts = alerts();
    List<String> ids =
        alerts.path("silences").findValues("id").stream().map(JsonNode::asText).toList();
    assertThat(ids).containsExactlyInAnyOrder("config-1", s.path("id").asText());
    assertThat(rule(alerts, "api-errors").path("state").asText()).isEqualTo("inactive");
    assertThat(rule(alerts, "api-errors").path("labels").path("team").asText())
        .isEqualTo("payments");
  }

  @Test
  @Order(1)
  void silenceWritesAreInTheAuditLogWithWhoMadeThem() throws Exception {
    String silence =
        "{\"matchers\": {\"rule\": \"audited\", \"team\": \"ops\"}, \"duration\": \"1h\","
            + " \"comment\": \"maintenance\"}";
    HttpResponse<String> created = admin("POST", "/alerts/silences", "ops-token", silence);
    assertThat(created.statusCode()).isEqualTo(201);
    String id = JSON.readTree(created.body()).path("id").asText();
    assertThat(admin("POST", "/alerts/silences", "ops-token", "{\"matchers\": {}}").statusCode())
        .isEqualTo(400);
    assertThat(admin("DELETE", "/alerts/silences/" + id, "ops-token", null).statusCode())
        .isEqualTo(204);
    assertThat(admin("DELETE", "/alerts/silences/config-1", "ops-token", null).statusCode())
        .isEqualTo(409);

    JsonNode entries =
        JSON.readTree(admin("GET", "/audit?limit=10", "viewer-token", null).body()).path("entries");
    List<String> lines = new ArrayList<>();
    for (JsonNode e : entries) {
      lines.add(
          String.join(
              " | ",
              e.path("actor").asText(),
              e.path("action").asText(),
              e.path("outcome").asText(),
              e.path("detail").asText()));
    }
    assertThat(lines)
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("ops | create silence | applied | silence " + id + " ")
                    .contains("rule=audited, team=ops until ")
                    .endsWith(": maintenance"))
        .anySatisfy(
            l -> assertThat(l).startsWith("ops | create silence | rejected | silence: matchers"))
        .contains("ops | delete silence | applied | silence " + id)
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("ops | delete silence | conflict | silence config-1: ")
                    .contains("config file"));
  }

  @Test
  @Order(2)
  void upstream500sFireSignedNotificationsThatRepeatAndResolve() throws Exception {
    for (int i = 0; i < 6; i++) {
      assertThat(gw.get("/status/500").statusCode()).isEqualTo(500);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(hooks.of("api-errors", "firing")).hasSize(1);
              assertThat(hooks.of("api-errors-repeated", "firing")).hasSizeGreaterThanOrEqualTo(2);
            });
    WebhookReceiver.Received firing = hooks.of("api-errors", "firing").get(0);
    assertThat(firing.verified()).as("signature and timestamp verified").isTrue();
    assertThat(firing.body().path("value").asDouble()).isEqualTo(1.0);
    assertThat(firing.body().path("labels").path("severity").asText()).isEqualTo("critical");
    assertThat(firing.body().path("endsAt").isNull()).isTrue();
    List<WebhookReceiver.Received> repeats = hooks.of("api-errors-repeated", "firing");
    assertThat(repeats.get(1).body().path("startsAt"))
        .as("a repeat is the same alert")
        .isEqualTo(repeats.get(0).body().path("startsAt"));
    assertThat(repeats.get(1).body().path("fingerprint"))
        .isEqualTo(repeats.get(0).body().path("fingerprint"));

    JsonNode alerts = alerts();
    JsonNode silenced = rule(alerts, "api-errors-silenced");
    assertThat(silenced.path("state").asText()).isIn("firing", "resolved");
    assertThat(silenced.path("silenced_by")).isNotEmpty();
    assertThat(silenced.path("last_notified").isNull()).isTrue();

    // No more errors: once the window has passed, the alerts resolve.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(hooks.of("api-errors", "resolved")).hasSize(1));
    WebhookReceiver.Received resolved = hooks.of("api-errors", "resolved").get(0);
    assertThat(resolved.verified()).isTrue();
    assertThat(resolved.body().path("startsAt")).isEqualTo(firing.body().path("startsAt"));
    assertThat(resolved.body().path("endsAt").isTextual()).isTrue();
    assertThat(hooks.of("api-errors", "firing")).as("de-duplicated: fired once").hasSize(1);
    assertThat(hooks.of("api-errors-silenced")).as("silenced: never notified").isEmpty();
    assertThat(rule(alerts(), "api-errors").path("state").asText()).isEqualTo("resolved");
    // the chat notification of the resolution may land after the webhook's
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(hooks.at("/slack")).hasSize(2));
    List<WebhookReceiver.Received> chat = hooks.at("/slack");
    assertThat(chat.get(0).signed()).as("only webhooks are signed").isFalse();
    assertThat(chat.get(0).body().path("text").asText())
        .contains("[FIRING] api-errors: 5xx ratio of route api is 100% (threshold 50%)");
    assertThat(chat.get(0).body().path("blocks").get(0).path("text").path("text").asText())
        .contains("`team=payments`");
    assertThat(chat.get(1).body().path("text").asText()).contains("[RESOLVED] api-errors");

    // The notifier that is down failed (after its retry) without holding up the others.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              String metrics = admin("GET", "/metrics", "viewer-token", null).body();
              assertThat(metrics)
                  .contains(
                      "portico_alert_notifications_total{notifier=\"down\",outcome=\"failed\"} 2.0")
                  .contains(
                      "portico_alert_notifications_total{notifier=\"hook\",outcome=\"sent\"}");
            });
  }

  @Test
  @Order(3)
  void aServiceWithoutHealthyEndpointFires() throws Exception {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(hooks.of("dead-service", "firing")).hasSize(1));
    WebhookReceiver.Received firing = hooks.of("dead-service", "firing").get(0);
    assertThat(firing.verified()).isTrue();
    assertThat(firing.body().path("value").asDouble()).isZero();
    assertThat(firing.body().path("labels").path("service").asText()).isEqualTo("dead");
    JsonNode alerts = alerts();
    assertThat(rule(alerts, "dead-service").path("state").asText()).isEqualTo("firing");
    JsonNode log = null;
    for (JsonNode n : alerts.path("notifiers")) {
      if (n.path("name").asText().equals("log")) {
        log = n;
      }
    }
    assertThat(log).isNotNull();
    assertThat(log.path("sent").asLong()).isPositive();
  }

  @Test
  @Order(4)
  void aRejectedReloadFiresAndTheNextAppliedOneResolvesKeepingOtherAlerts() throws Exception {
    JsonNode before = rule(alerts(), "api-errors");
    assertThat(before.path("state").asText()).isEqualTo("resolved");

    gw.rewriteConfig(config.replace("kind: error-rate", "kind: error-ratio"));
    HttpResponse<String> rejected = admin("POST", "/reload", "ops-token", null);
    assertThat(rejected.statusCode()).isEqualTo(422);
    assertThat(rejected.body()).contains("error-ratio").contains("expected: one of error-rate");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(hooks.of("config-reload", "firing")).hasSize(1));
    assertThat(hooks.of("config-reload", "firing").get(0).verified()).isTrue();

    gw.rewriteConfig(config);
    assertThat(admin("POST", "/reload", "ops-token", null).statusCode()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(hooks.of("config-reload", "resolved")).hasSize(1));

    JsonNode after = rule(alerts(), "api-errors");
    assertThat(after.path("state").asText()).isEqualTo("resolved");
    assertThat(after.path("since"))
        .as("the unchanged rule kept its alert")
        .isEqualTo(before.path("since"));
    assertThat(after.path("starts_at")).isEqualTo(before.path("starts_at"));
    assertThat(after.path("last_notified")).isEqualTo(before.path("last_notified"));
    assertThat(hooks.of("api-errors")).as("not notified again by the reloads").hasSize(2);
  }
}
