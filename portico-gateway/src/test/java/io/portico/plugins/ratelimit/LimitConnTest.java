package io.portico.plugins.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.GatewayFixture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The {@code limit-conn} plugin in a running gateway, with requests held in flight. */
class LimitConnTest {

  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    gw =
        GatewayFixture.start(
            """
            routes:
              - name: no-queue
                paths: [ "/no-queue" ]
                plugins:
                  limit-conn: { max: 2, key: route }
                  test-delay: {}
                  mock: { status: 200 }
              - name: queued
                paths: [ "/queued" ]
                plugins:
                  limit-conn: { max: 1, queue: 3, queue-timeout: 5s, key: route }
                  test-delay: {}
                  mock: { status: 200 }
              - name: short-wait
                paths: [ "/short-wait" ]
                plugins:
                  limit-conn: { max: 1, queue: 1, queue-timeout: 200ms, key: "header:X-Tenant", status: 429 }
                  test-delay: {}
                  mock: { status: 200 }
            """);
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  private static List<HttpResponse<String>> concurrently(int n, String path, String... headers) {
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(
          gw.client()
              .sendAsync(
                  HttpRequest.newBuilder(gw.uri(path)).headers(headers).build(),
                  HttpResponse.BodyHandlers.ofString()));
    }
    return all.stream().map(CompletableFuture::join).toList();
  }

  private static long count(List<HttpResponse<String>> responses, int status) {
    return responses.stream().filter(r -> r.statusCode() == status).count();
  }

  @Test
  void refusesRequestsBeyondTheLimitAndFreesSlotsWhenTheyFinish() throws Exception {
    for (int round = 0; round < 3; round++) {
      List<HttpResponse<String>> r = concurrently(5, "/no-queue", "X-Delay", "500");
      assertThat(count(r, 200)).isEqualTo(2);
      assertThat(count(r, 503)).isEqualTo(3);
      assertThat(r.stream().filter(x -> x.statusCode() == 503).findFirst().orElseThrow().body())
          .contains("limit-conn-exceeded");
    }
    assertThat(gw.get("/no-queue").statusCode()).isEqualTo(200);
  }

  @Test
  void queuedRequestsRunOneAfterAnother() {
    long start = System.nanoTime();
    List<HttpResponse<String>> r = concurrently(4, "/queued", "X-Delay", "200");
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertThat(count(r, 200)).isEqualTo(4);
    assertThat(millis).isGreaterThanOrEqualTo(800);
  }

  @Test
  void waitingLongerThanTheQueueTimeoutIsRefusedAndKeysAreApart() throws Exception {
    CompletableFuture<HttpResponse<String>> holder =
        gw.client()
            .sendAsync(
                HttpRequest.newBuilder(gw.uri("/short-wait"))
                    .headers("X-Tenant", "a", "X-Delay", "1000")
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    Thread.sleep(100);
    long start = System.nanoTime();
    HttpResponse<String> waited =
        gw.send(HttpRequest.newBuilder(gw.uri("/short-wait")).header("X-Tenant", "a"));
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertThat(waited.statusCode()).isEqualTo(429);
    assertThat(waited.body()).contains("limit-conn-timeout");
    assertThat(millis).isBetween(150L, 900L);
    assertThat(
            gw.send(HttpRequest.newBuilder(gw.uri("/short-wait")).header("X-Tenant", "b"))
                .statusCode())
        .isEqualTo(200);
    assertThat(holder.join().statusCode()).isEqualTo(200);
    assertThat(
            gw.send(HttpRequest.newBuilder(gw.uri("/short-wait")).header("X-Tenant", "a"))
                .statusCode())
        .isEqualTo(200);
  }
}
