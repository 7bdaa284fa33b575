package io.portico.plugins.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.testing.GatewayFixture;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code rate-limit} and {@code quota} against a real three-master Redis Cluster started for the
 * test ({@code redis-cluster://} URL): exact global counts under concurrency, many keys spread over
 * the cluster's slots (each script call touching several keys of one slot), and quota counting.
 */
class RedisClusterTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static RedisClusterProcesses cluster;
  private static GatewayFixture gateway;

  @BeforeAll
  static void start() throws Exception {
    Assumptions.assumeTrue(
        RedisClusterProcesses.installed(),
        "redis-server and redis-cli are not installed: the Redis Cluster tests need them");
    cluster = RedisClusterProcesses.start();
    String redis =
        "{ url: \"%s\", prefix: \"portico-test:\", timeout: 2s, on-failure: fail-closed }"
            .formatted(cluster.url());
    gateway =
        GatewayFixture.start(
            """
            admin:
              address: 127.0.0.1:0
            consumers:
              - name: ann
              - name: bob
            routes:
              - name: fixed
                paths: [ "/fixed" ]
                plugins:
                  rate-limit:
                    name: global-fixed
                    algorithm: fixed-window
                    limits: [ { requests: 100, window: 1m } ]
                    key: global
                    policy: redis
                    redis: %1$s
                  mock: { status: 200 }
              - name: sliding
                paths: [ "/sliding" ]
                plugins:
                  rate-limit:
                    name: global-sliding
                    limits: [ { requests: 100, window: 1m } ]
                    key: global
                    policy: redis
                    redis: %1$s
                  mock: { status: 200 }
              - name: tenants
                paths: [ "/tenants" ]
                plugins:
                  rate-limit:
                    name: tenants
                    limits: [ { requests: 3, window: 1m }, { requests: 50, window: 1h } ]
                    key: "header:X-Tenant"
                    policy: redis
                    redis: %1$s
                  mock: { status: 200 }
              - name: metered
                paths: [ "/metered" ]
                plugins:
                  test-identity: {}
                  quota:
                    name: monthly
                    limit: 3
                    cost-header: X-Cost
                    redis: %1$s
                  mock: { status: 200 }
            """
                .formatted(redis));
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (gateway != null) {
        gateway.close();
      }
    } finally {
      if (cluster != null) {
        cluster.close();
      }
    }
  }

  @Test
  void globalLimitAdmitsExactlyTheLimitFromConcurrentRequests() throws Exception {
    Load.awayFromMinuteEdge(Duration.ofSeconds(15));
    for (String path : List.of("/fixed", "/sliding")) {
      int admitted = Load.admitted(600, 30, i -> gateway.uri(path));
      assertThat(admitted).as(path).isEqualTo(100);
    }
  }

  @Test
  void keysOnDifferentSlotsEachHaveTheirOwnLimits() throws Exception {
    Load.awayFromMinuteEdge(Duration.ofSeconds(15));
    int tenants = 40;
    Map<String, AtomicInteger> admitted = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(20);
    try {
      List<CompletableFuture<Void>> all = new ArrayList<>();
      for (int i = 0; i < tenants * 5; i++) {
        String tenant = "tenant-" + (i % tenants);
        URI uri = gateway.uri("/tenants");
        all.add(
            CompletableFuture.runAsync(
                () -> {
                  try {
                    HttpResponse<String> r =
                        gateway.send(HttpRequest.newBuilder(uri).header("X-Tenant", tenant));
                    if (r.statusCode() == 200) {
                      admitted.computeIfAbsent(tenant, t -> new AtomicInteger()).incrementAndGet();
                    } else if (r.statusCode() != 429) {
                      throw new IllegalStateException(r.statusCode() + " " + r.body());
                    }
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                },
                pool));
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    } finally {
      pool.shutdownNow();
    }
    assertThat(admitted).hasSize(tenants);
    assertThat(admitted.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(3));
    int nodesWithKeys = 0;
    for (int port : cluster.ports()) {
      nodesWithKeys += cluster.keys(port) > 0 ? 1 : 0;
    }
    assertThat(nodesWithKeys).as("masters holding keys").isGreaterThanOrEqualTo(2);
  }

  @Test
  void quotaCountsOnTheCluster() throws Exception {
    assertThat(metered("ann", "2")).isEqualTo(200);
    assertThat(metered("ann", "1")).isEqualTo(200);
    HttpResponse<String> refused =
        gateway.send(
            HttpRequest.newBuilder(gateway.uri("/metered")).header("X-Test-Consumer", "ann"));
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(JSON.readTree(refused.body()).path("type").asText()).endsWith("quota-exceeded");
    assertThat(metered("bob", "1")).isEqualTo(200);

    JsonNode ann = JSON.readTree(gateway.admin("/quotas/ann").body()).path("quotas").path(0);
    assertThat(ann.path("used").asLong()).isEqualTo(3);
    assertThat(ann.path("remaining").asLong()).isZero();
    JsonNode bob = JSON.readTree(gateway.admin("/quotas/bob").body()).path("quotas").path(0);
    assertThat(bob.path("used").asLong()).isEqualTo(1);
  }

  private static int metered(String consumer, String cost) throws Exception {
    return gateway
        .send(
            HttpRequest.newBuilder(gateway.uri("/metered"))
                .header("X-Test-Consumer", consumer)
                .header("X-Cost", cost))
        .statusCode();
  }
}
