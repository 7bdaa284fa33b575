package io.portico.upstream.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portico.testing.GatewayFixture;
import io.portico.testing.TestOrigin;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * One of three endpoints killed under a stream of GETs from several client connections: retries and
 * passive ejection keep every request answered.
 */
class KilledEndpointTest {

  @Test
  void killingOneOfThreeEndpointsUnderLoadFailsNoRequest() throws Exception {
    TestOrigin a = TestOrigin.start("a");
    TestOrigin b = TestOrigin.start("b");
    TestOrigin c = TestOrigin.start("c");
    try (a;
        b;
        c;
        GatewayFixture gw =
            GatewayFixture.start(
                """
                services:
                  - name: trio
                    targets: [ "%s", "%s", "%s" ]
                    retry: { attempts: 2, budget-percent: 100 }
                    health:
                      passive:
                        consecutive-gateway-failures: 2
                        base-ejection-time: 30s
                routes:
                  - name: all
                    paths: [ / ]
                    service: trio
                """
                    .formatted(a.authority(), b.authority(), c.authority()))) {
      int clients = 8;
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger ok = new AtomicInteger();
      List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
      ExecutorService pool = Executors.newFixedThreadPool(clients);
      List<Future<?>> loops = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        loops.add(
            pool.submit(
                () -> {
                  HttpClient client =
                      HttpClient.newBuilder()
                          .version(HttpClient.Version.HTTP_1_1)
                          .connectTimeout(Duration.ofSeconds(2))
                          .build();
                  while (running.get()) {
                    try {
                      HttpResponse<String> r =
                          client.send(
                              HttpRequest.newBuilder(gw.uri("/hello")).build(),
                              HttpResponse.BodyHandlers.ofString());
                      if (r.statusCode() == 200) {
                        ok.incrementAndGet();
                      } else {
                        failures.add(r.statusCode() + " " + r.body());
                      }
                    } catch (Exception e) {
                      failures.add(e.toString());
                    }
                  }
                  return null;
                }));
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> ok.get() >= 100);
      int before = ok.get();
      c.close();
      int cBefore = c.requestCount();
      await().atMost(Duration.ofSeconds(30)).until(() -> ok.get() >= before + 300);
      running.set(false);
      for (Future<?> f : loops) {
        f.get();
      }
      pool.shutdown();

      assertThat(failures).isEmpty();
      assertThat(c.requestCount()).isEqualTo(cBefore);
    }
  }
}
