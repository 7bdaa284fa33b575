package io.portico.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.testing.GatewayFixture;
import io.portico.testing.H2Origin;
import io.portico.testing.ScriptedOrigin;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Aggregate backends on an HTTP/2 (h2c) service misbehaving: a body over {@code max-body-size}
 * streamed in DATA frames, an answer slower than the deadline, and a connection dropped with the
 * request open. Each fails its backend with its cause, the other backend's part is answered, and
 * every buffer is released (paranoid leak detection).
 */
class AggregateH2AttackTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static H2Origin h2;
  private static ScriptedOrigin plain;
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    h2 = H2Origin.cleartext(100);
    plain =
        ScriptedOrigin.start()
            .on(
                "/fine",
                (ctx, req) ->
                    ctx.writeAndFlush(
                        ScriptedOrigin.full(
                            200,
                            "{\"ok\":true}".getBytes(StandardCharsets.UTF_8),
                            "Content-Type",
                            "application/json")));
    gw =
        GatewayFixture.start(
            """
            services:
              - name: h2
                targets: [ "%1$s" ]
                protocol: h2c
              - name: plain
                targets: [ "%2$s" ]
            routes:
              - name: big
                paths: [ /big ]
                aggregate:
                  timeout: 3s
                  max-body-size: 4096
                  backends:
                    - { name: ok, service: plain, path: /fine }
                    - { name: bad, service: h2, path: "/big?bytes=200000" }
              - name: slow
                paths: [ /slow ]
                aggregate:
                  timeout: 300ms
                  failure: strict
                  backends:
                    - { name: bad, service: h2, path: "/slow?ms=3000" }
                    - { name: ok, service: plain, path: /fine }
              - name: dropped
                paths: [ /dropped ]
                aggregate:
                  timeout: 3s
                  backends:
                    - { name: bad, service: h2, path: /drop }
            """
                .formatted(h2.authority(), plain.authority()));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    h2.close();
    plain.close();
  }

  @Test
  void aStreamedBodyOverTheCapFailsItsBackendAndTheOtherPartIsAnswered() throws Exception {
    HttpResponse<String> r = gw.get("/big");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("ok").asBoolean()).as(r.body()).isTrue();
    assertThat(body.path("_failures").path("bad").path("cause").asText())
        .isEqualTo("upstream_response_too_large");
    assertThat(r.headers().firstValue("X-Portico-Aggregate-Failed")).hasValue("bad");
  }

  @Test
  void aBackendSlowerThanTheDeadlineIsA504UnderStrict() throws Exception {
    HttpResponse<String> r = gw.get("/slow");
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(JSON.readTree(r.body()).path("failures").path("bad").path("cause").asText())
        .isEqualTo("timeout");
  }

  @Test
  void aConnectionDroppedWithTheRequestOpenIsA502() throws Exception {
    h2.dropConnectionOnNext(20);
    HttpResponse<String> r = gw.get("/dropped");
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(r.body()).doesNotContain("127.0.0.1");
    h2.dropConnectionOnNext(0);
    assertThat(gw.get("/big").statusCode()).isEqualTo(200);
  }
}
