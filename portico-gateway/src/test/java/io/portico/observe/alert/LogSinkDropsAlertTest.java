package io.portico.observe.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.testing.GatewayFixture;
import io.portico.testing.TestOrigin;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A {@code log-sink-drops} rule over a real gateway whose HTTP log collector is down: the lines it
 * loses fire the rule of that sink and the one of all sinks, not the one of the healthy file sink;
 * once no line is lost for a window, the alert resolves.
 */
class LogSinkDropsAlertTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private TestOrigin origin;
  private WebhookReceiver hooks;
  private GatewayFixture gw;

  @BeforeEach
  void start() throws Exception {
    origin = TestOrigin.start();
    hooks = new WebhookReceiver("secret");
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    gw =
        GatewayFixture.start(
            """
            admin:
              address: 127.0.0.1:0
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: api
                paths: [ "/hello" ]
                service: backend
            runtime:
              io-threads: 1
              watch-config: false
              shutdown-timeout: 1s
              access-log:
                sinks:
                  - { type: file, name: local, path: access.log }
                  - type: http
                    name: collector
                    url: http://127.0.0.1:%d/ingest
                    queue: 4
                    retries: 0
                    flush-interval: 0ms
                    timeout: 1s
            alerts:
              evaluation-interval: 100ms
              notifiers:
                - { name: hook, type: webhook, url: "%s", secret: secret }
              rules:
                - { name: collector-lost, kind: log-sink-drops, sink: collector, threshold: 3, window: 1s }
                - { name: local-lost, kind: log-sink-drops, sink: local, window: 1s }
                - { name: any-lost, kind: log-sink-drops, threshold: 3, window: 1s }
            """
                .formatted(origin.authority(), closed, hooks.url()));
  }

  @AfterEach
  void stop() throws Exception {
    gw.close();
    hooks.close();
    origin.close();
  }

  private JsonNode rule(String name) throws Exception {
    for (JsonNode r : JSON.readTree(gw.admin("/alerts").body()).path("rules")) {
      if (r.path("name").asText().equals(name)) {
        return r;
      }
    }
    throw new AssertionError("no rule " + name);
  }

  @Test
  void linesLostByASinkFireItsRuleAndResolveWhenNoMoreAreLost() throws Exception {
    // Lines keep being lost until the rules fire, whenever their first sample was taken.
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(
            () -> {
              for (int i = 0; i < 5; i++) {
                assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
              }
              assertThat(hooks.of("collector-lost", "firing")).hasSize(1);
              assertThat(hooks.of("any-lost", "firing")).hasSize(1);
            });
    JsonNode firing = hooks.of("collector-lost", "firing").get(0).body();
    assertThat(firing.path("labels").path("sink").asText()).isEqualTo("collector");
    assertThat(firing.path("value").asDouble()).isGreaterThanOrEqualTo(3);
    assertThat(firing.path("summary").asText())
        .startsWith("collector-lost: access-log lines lost by sink collector is");
    assertThat(rule("local-lost").path("state").asText()).isEqualTo("inactive");
    assertThat(gw.gateway().accessLogSinks().get(0).dropped()).isZero();

    // Nothing more is logged, so nothing more is lost: a window later the alerts resolve.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(hooks.of("collector-lost", "resolved")).hasSize(1));
    assertThat(hooks.of("local-lost")).isEmpty();
  }
}
