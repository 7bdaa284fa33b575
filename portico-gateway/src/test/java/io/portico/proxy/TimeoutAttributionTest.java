package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portico.observe.ExchangeRecord;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerClass;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Which timeout a slow exchange is charged to: the upstream's response timeout runs from the
 * request being sent, so time a plugin spent waiting is not counted against the upstream, and a
 * plugin that waits too long is a {@code plugin_timeout}, never an upstream timeout.
 */
class TimeoutAttributionTest {

  @RegisterExtension static final OriginPerClass env = new OriginPerClass();
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    gw =
        env.start(
            """
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: slow
                paths: [ /slow/ ]
                service: backend
                strip-prefix: true
                timeouts: { response: 1200ms }
                plugins:
                  test-delay: {}
            """
                .formatted(env.origin().authority()));
  }

  @Test
  void aPluginsWaitIsNotCountedAgainstTheUpstream() throws Exception {
    // 700 ms in the plugin, then 800 ms upstream: over 1200 ms in all, under it on each side.
    HttpResponse<String> r =
        gw.send(HttpRequest.newBuilder(gw.uri("/slow/delay/800")).header("X-Delay", "700"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("late");
  }

  @Test
  void aPluginThatWaitsTooLongIsAPluginTimeout() throws Exception {
    HttpResponse<String> r =
        gw.send(HttpRequest.newBuilder(gw.uri("/slow/hello")).header("X-Delay", "3000"));
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(r.body()).contains("plugin-timeout");
    await()
        .atMost(Duration.ofSeconds(2))
        .until(() -> gw.records().stream().anyMatch(x -> "plugin_timeout".equals(x.failure())));
  }

  @Test
  void anUpstreamThatAnswersTooLateIsAnUpstreamResponseTimeoutWithoutItsAddress() throws Exception {
    HttpResponse<String> r = gw.get("/slow/delay/3000");
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(r.body()).contains("upstream-response-timeout").doesNotContain("127.0.0.1");
    ExchangeRecord record =
        await()
            .atMost(Duration.ofSeconds(2))
            .until(
                () ->
                    gw.records().stream()
                        .filter(x -> "upstream_response_timeout".equals(x.failure()))
                        .findFirst()
                        .orElse(null),
                x -> x != null);
    assertThat(record.upstream()).isEqualTo(env.origin().authority());
  }
}
