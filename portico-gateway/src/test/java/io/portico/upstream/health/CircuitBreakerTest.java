package io.portico.upstream.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.portico.config.HealthConfig;
import io.portico.testing.GatewayFixture;
import io.portico.upstream.CallFailure;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The per-service circuit breaker: its failure-rate trip and its limits, end to end and alone. */
class CircuitBreakerTest {

  @Test
  void tripsOnTheFailureRateThenHalfOpensAndCloses() throws Exception {
    try (HealthOrigin a = new HealthOrigin("a");
        GatewayFixture gw =
            GatewayFixture.start(
                """
                admin:
                  address: 127.0.0.1:0
                services:
                  - name: fragile
                    targets: [ "%s" ]
                    health:
                      circuit-breaker:
                        failure-rate:
                          window: 10s
                          minimum-requests: 4
                          threshold: 0.5
                          open-duration: 300ms
                          half-open-requests: 2
                routes:
                  - name: all
                    paths: [ / ]
                    service: fragile
                """
                    .formatted(a.authority()))) {
      a.status.set(500);
      for (int i = 0; i < 4; i++) {
        assertThat(gw.get("/x").statusCode()).isEqualTo(500);
      }
      int reached = a.requests.get();
      HttpResponse<String> refused = gw.get("/x");
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.headers().firstValue("content-type")).hasValue("application/problem+json");
      assertThat(refused.body()).contains("https://portico.dev/problems/circuit-open");
      assertThat(a.requests.get()).isEqualTo(reached);
      JsonNode open = ActiveHealthCheckTest.health(gw, "fragile").get("circuit_breaker");
      assertThat(open.get("state").asText()).isIn("open", "half-open");
      assertThat(open.get("times_opened").asInt()).isEqualTo(1);

      a.status.set(200);
      // After open-duration, probe requests pass; two successes close the circuit.
      await().atMost(Duration.ofSeconds(5)).until(() -> gw.get("/x").statusCode() == 200);
      assertThat(gw.get("/x").statusCode()).isEqualTo(200);
      assertThat(ActiveHealthCheckTest.health(gw, "fragile").at("/circuit_breaker/state").asText())
          .isEqualTo("closed");
      for (int i = 0; i < 5; i++) {
        assertThat(gw.get("/x").statusCode()).isEqualTo(200);
      }
    }
  }

  @Test
  void maxInFlightAnswers503WithItsOwnCodeWhileOtherServicesPass() throws Exception {
    try (HealthOrigin a = new HealthOrigin("a");
        GatewayFixture gw =
            GatewayFixture.start(
                """
                admin:
                  address: 127.0.0.1:0
                services:
                  - name: narrow
                    targets: [ "%1$s" ]
                    health:
                      circuit-breaker: { max-in-flight: 2 }
                  - name: wide
                    targets: [ "%1$s" ]
                routes:
                  - name: narrow
                    paths: [ /hold, /narrow ]
                    service: narrow
                  - name: wide
                    paths: [ /wide ]
                    service: wide
                """
                    .formatted(a.authority()))) {
      List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        held.add(
            gw.client()
                .sendAsync(
                    HttpRequest.newBuilder(gw.uri("/hold")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()));
      }
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  ActiveHealthCheckTest.health(gw, "narrow")
                          .at("/circuit_breaker/in_flight")
                          .asInt()
                      == 2);

      HttpResponse<String> refused = gw.get("/narrow");
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.body()).contains("https://portico.dev/problems/upstream-overloaded");
      assertThat(gw.get("/wide").statusCode()).isEqualTo(200);
      JsonNode h = ActiveHealthCheckTest.health(gw, "narrow");
      assertThat(h.at("/endpoints/0/in_flight").asInt()).isEqualTo(2);
      assertThat(h.at("/circuit_breaker/state").asText()).isEqualTo("closed");

      a.release();
      for (CompletableFuture<HttpResponse<String>> f : held) {
        assertThat(f.get().statusCode()).isEqualTo(200);
      }
      assertThat(gw.get("/narrow").statusCode()).isEqualTo(200);
      assertThat(
              ActiveHealthCheckTest.health(gw, "narrow").at("/circuit_breaker/in_flight").asInt())
          .isZero();
    }
  }

  @Test
  void connectionAndPendingLimitsAnswer503UpstreamOverloaded() throws Exception {
    // Two origins: pools are per address, so the services must not share one.
    try (HealthOrigin a = new HealthOrigin("a");
        HealthOrigin b = new HealthOrigin("b");
        GatewayFixture gw =
            GatewayFixture.start(
                """
                admin:
                  address: 127.0.0.1:0
                services:
                  - name: one-connection
                    targets: [ "%1$s" ]
                    health:
                      circuit-breaker: { max-connections: 1 }
                  - name: one-waiter
                    targets: [ "%2$s" ]
                    pool: { max-connections: 1 }
                    health:
                      circuit-breaker: { max-pending: 1 }
                routes:
                  - name: one-connection
                    paths: [ /c ]
                    path-match: prefix
                    rewrite-path: /hold
                    service: one-connection
                  - name: one-waiter
                    paths: [ /w ]
                    path-match: prefix
                    rewrite-path: /hold
                    service: one-waiter
                """
                    .formatted(a.authority(), b.authority()))) {
      CompletableFuture<HttpResponse<String>> holding = async(gw, "/c");
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  ActiveHealthCheckTest.health(gw, "one-connection")
                          .at("/circuit_breaker/connections")
                          .asInt()
                      == 1);
      HttpResponse<String> refused = gw.get("/c");
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.body()).contains("upstream-overloaded");

      CompletableFuture<HttpResponse<String>> holdingToo = async(gw, "/w");
      await().atMost(Duration.ofSeconds(5)).until(() -> b.requests.get() == 1);
      CompletableFuture<HttpResponse<String>> waiting = async(gw, "/w");
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  ActiveHealthCheckTest.health(gw, "one-waiter")
                          .at("/circuit_breaker/pending")
                          .asInt()
                      == 1);
      HttpResponse<String> refusedToo = gw.get("/w");
      assertThat(refusedToo.statusCode()).isEqualTo(503);
      assertThat(refusedToo.body()).contains("upstream-overloaded");

      a.release();
      b.release();
      assertThat(holding.get().statusCode()).isEqualTo(200);
      assertThat(holdingToo.get().statusCode()).isEqualTo(200);
      assertThat(waiting.get().statusCode()).isEqualTo(200);
    }
  }

  private static CompletableFuture<HttpResponse<String>> async(GatewayFixture gw, String path) {
    return gw.client()
        .sendAsync(
            HttpRequest.newBuilder(gw.uri(path)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static final HealthConfig.FailureRate RATE =
      new HealthConfig.FailureRate(Duration.ofSeconds(10), 4, 0.5, Duration.ofSeconds(1), 2);

  @Test
  void failuresOlderThanTheWindowNoLongerCount() {
    AtomicLong clock = new AtomicLong(1_000_000_000L);
    CircuitBreaker b =
        new CircuitBreaker(new HealthConfig.CircuitBreaker(0, 0, 0, RATE), clock::get);
    for (int i = 0; i < 3; i++) {
      assertThat(b.admit()).isNull();
      b.onCallEnd(CallFailure.CONNECT_FAILED, 0);
    }
    clock.addAndGet(Duration.ofSeconds(11).toNanos());
    assertThat(b.admit()).isNull();
    b.onCallEnd(null, 503);
    assertThat(b.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    for (int i = 0; i < 3; i++) {
      assertThat(b.admit()).isNull();
      b.onCallEnd(null, 502);
    }
    assertThat(b.state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(b.admit()).isEqualTo(CallFailure.CIRCUIT_OPEN);
  }

  @Test
  void aFailedHalfOpenRequestOpensTheCircuitAgain() {
    AtomicLong clock = new AtomicLong(1_000_000_000L);
    CircuitBreaker b =
        new CircuitBreaker(new HealthConfig.CircuitBreaker(0, 0, 0, RATE), clock::get);
    for (int i = 0; i < 4; i++) {
      b.admit();
      b.onCallEnd(null, 500);
    }
    assertThat(b.admit()).isEqualTo(CallFailure.CIRCUIT_OPEN);
    clock.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(b.admit()).isNull();
    assertThat(b.admit()).isNull();
    // Only half-open-requests (2) pass while half-open.
    assertThat(b.admit()).isEqualTo(CallFailure.CIRCUIT_OPEN);
    b.onCallEnd(CallFailure.RESPONSE_TIMEOUT, 0);
    assertThat(b.state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(b.timesOpened()).isEqualTo(2);
    assertThat(b.admit()).isEqualTo(CallFailure.CIRCUIT_OPEN);
  }

  @Test
  void limitsRefuseBeyondTheirCountAndGiveBackWhatEnds() {
    CircuitBreaker b = new CircuitBreaker(new HealthConfig.CircuitBreaker(1, 1, 2, null));
    assertThat(b.admit()).isNull();
    assertThat(b.admit()).isNull();
    assertThat(b.admit()).isEqualTo(CallFailure.OVERLOADED);
    b.onCallEnd(null, 200);
    assertThat(b.admit()).isNull();
    assertThat(b.startWaiting()).isTrue();
    assertThat(b.startWaiting()).isFalse();
    b.stopWaiting();
    assertThat(b.startWaiting()).isTrue();
    assertThat(b.tryOpenConnection()).isTrue();
    assertThat(b.tryOpenConnection()).isFalse();
    b.connectionClosed();
    assertThat(b.tryOpenConnection()).isTrue();
  }
}
