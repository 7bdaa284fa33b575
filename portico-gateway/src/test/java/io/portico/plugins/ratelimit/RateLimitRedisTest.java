package io.portico.plugins.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portico.testing.GatewayFixture;
import io.portico.testing.LogCapture;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The {@code rate-limit} plugin with the Redis policy against the real Redis on 127.0.0.1:6379,
 * reached through a {@link TcpProxy} that the tests cut or stall to exercise each failure policy.
 */
class RateLimitRedisTest {

  static final String PREFIX = "portico-test:" + UUID.randomUUID() + ":";

  private static String config(int redisPort, String onFailure, String limits, String name) {
    return """
        routes:
          - name: limited
            paths: [ "/limited" ]
            plugins:
              rate-limit:
                name: %s
                limits: %s
                key: global
                policy: redis
                redis:
                  url: redis://127.0.0.1:%d
                  prefix: "%s"
                  timeout: 100ms
                  on-failure: %s
              mock: { status: 200 }
        """
        .formatted(name, limits, redisPort, PREFIX, onFailure);
  }

  private static int status(GatewayFixture gw) throws Exception {
    return gw.get("/limited").statusCode();
  }

  @Test
  void twoGatewaysShareOneCount() throws Exception {
    String limits = "[ { requests: 10, window: 1h } ]";
    try (GatewayFixture a = GatewayFixture.start(config(6379, "fail-closed", limits, "shared"));
        GatewayFixture b = GatewayFixture.start(config(6379, "fail-closed", limits, "shared"))) {
      int admitted = 0;
      for (int i = 0; i < 10; i++) {
        admitted += status(a) == 200 ? 1 : 0;
        admitted += status(b) == 200 ? 1 : 0;
      }
      assertThat(admitted).isEqualTo(10);
      HttpResponse<String> refused = b.get("/limited");
      assertThat(refused.statusCode()).isEqualTo(429);
      assertThat(refused.headers().firstValue("RateLimit").orElseThrow())
          .startsWith("\"1h\";r=0;t=");
    }
  }

  @Test
  void tokenBucketAndResponseCostsAreCountedInRedis() throws Exception {
    String yaml =
        """
        routes:
          - name: bucket
            paths: [ "/bucket" ]
            plugins:
              rate-limit:
                name: bucket
                algorithm: token-bucket
                limits: [ { requests: 1, window: 1h, burst: 3 } ]
                key: global
                policy: redis
                redis: { url: "redis://127.0.0.1:6379", prefix: "%1$s", on-failure: fail-closed }
              mock: { status: 200 }
          - name: metered
            paths: [ "/metered" ]
            plugins:
              rate-limit:
                name: metered
                limits: [ { requests: 100, window: 1d } ]
                key: global
                cost-response-header: X-Tokens
                policy: redis
                redis: { url: "redis://127.0.0.1:6379", prefix: "%1$s", on-failure: fail-closed }
              mock: { status: 200, headers: { X-Tokens: "70" } }
        """
            .formatted(PREFIX);
    try (GatewayFixture gw = GatewayFixture.start(yaml)) {
      for (int i = 0; i < 3; i++) {
        assertThat(gw.get("/bucket").statusCode()).isEqualTo(200);
      }
      HttpResponse<String> refused = gw.get("/bucket");
      assertThat(refused.statusCode()).isEqualTo(429);
      assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow()))
          .isBetween(3500L, 3600L);

      assertThat(gw.get("/metered").statusCode()).isEqualTo(200);
      // the first response's cost is sent on the shared connection before the client sees the
      // response, so Redis counts it before the next request's check
      HttpResponse<String> second = gw.get("/metered");
      assertThat(second.statusCode()).isEqualTo(200);
      assertThat(second.headers().firstValue("X-RateLimit-Remaining")).hasValue("30");
      assertThat(gw.get("/metered").statusCode()).isEqualTo(429);
    }
  }

  @Test
  void failOpenLetsTrafficThroughWhileRedisIsGone() throws Exception {
    try (TcpProxy redis = new TcpProxy("127.0.0.1", 6379);
        GatewayFixture gw =
            GatewayFixture.start(
                config(redis.port(), "fail-open", "[ { requests: 3, window: 1h } ]", "open"))) {
      for (int i = 0; i < 3; i++) {
        assertThat(status(gw)).isEqualTo(200);
      }
      assertThat(status(gw)).isEqualTo(429);
      redis.cut();
      for (int i = 0; i < 10; i++) {
        assertThat(status(gw)).isEqualTo(200);
      }
      redis.restore();
      awaitStatus(gw, 429);
    }
  }

  @Test
  void failClosedAnswers503WithinTheTimeoutWhileRedisHangs() throws Exception {
    try (TcpProxy redis = new TcpProxy("127.0.0.1", 6379);
        GatewayFixture gw =
            GatewayFixture.start(
                config(
                    redis.port(), "fail-closed", "[ { requests: 100, window: 1h } ]", "closed"))) {
      assertThat(status(gw)).isEqualTo(200);
      redis.stall();
      for (int i = 0; i < 5; i++) {
        long start = System.nanoTime();
        HttpResponse<String> r = gw.get("/limited");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body())
            .contains("rate-limit-unavailable")
            .contains("The rate limit cannot be checked right now. Retry after 1 s.")
            .doesNotContain("Redis")
            .doesNotContain("redis");
        assertThat(r.headers().firstValue("retry-after")).hasValue("1");
        assertThat(millis).isLessThan(1000);
      }
      redis.cut();
      assertThat(status(gw)).isEqualTo(503);
      redis.restore();
      awaitStatus(gw, 200);
    }
  }

  @Test
  void aRedisThatIsDownAtStartIsLoggedOnceWithItsAddressAndWhatToCheck() throws Exception {
    try (TcpProxy redis = new TcpProxy("127.0.0.1", 6379);
        LogCapture log = LogCapture.capture()) {
      redis.cut();
      try (GatewayFixture gw =
          GatewayFixture.start(
              config(redis.port(), "fail-closed", "[ { requests: 100, window: 1h } ]", "down"))) {
        for (int i = 0; i < 5; i++) {
          assertThat(status(gw)).isEqualTo(503);
        }
        redis.restore();
        awaitStatus(gw, 200);
      }

      String url = "redis://127.0.0.1:" + redis.port();
      assertThat(log.warnings().stream().filter(w -> w.contains(url + " ")).toList())
          .singleElement()
          .asString()
          .contains("RedisStore: Redis at " + url + " does not answer (")
          .contains("apply their redis.on-failure until it does")
          .contains("redis.url");
    }
  }

  @Test
  void theRedisConnectionIsOpenedWhenTheConfigIsActivatedBeforeAnyRequest() throws Exception {
    try (TcpProxy redis = new TcpProxy("127.0.0.1", 6379);
        GatewayFixture gw =
            GatewayFixture.start(
                config(
                    redis.port(), "fail-closed", "[ { requests: 100, window: 1h } ]", "early"))) {
      await().atMost(Duration.ofSeconds(10)).until(() -> redis.accepted() == 1);
      assertThat(status(gw)).isEqualTo(200);
      assertThat(redis.accepted()).isEqualTo(1);
    }
  }

  @Test
  void aRedisThatIsDownWhenTheConfigIsActivatedIsLoggedBeforeAnyRequest() throws Exception {
    try (TcpProxy redis = new TcpProxy("127.0.0.1", 6379);
        LogCapture log = LogCapture.capture()) {
      redis.cut();
      String url = "redis://127.0.0.1:" + redis.port();
      try (GatewayFixture gw =
          GatewayFixture.start(
              config(redis.port(), "fail-closed", "[ { requests: 100, window: 1h } ]", "cut"))) {
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> log.warnings().stream().anyMatch(w -> w.contains(url + " does not")));
        HttpResponse<String> refused = gw.get("/limited");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body())
            .contains("rate-limit-unavailable")
            .contains("The rate limit cannot be checked right now. Retry after 1 s.")
            .doesNotContain("Redis")
            .doesNotContain(url);
        assertThat(refused.headers().firstValue("retry-after")).hasValue("1");
      }
    }
  }

  @Test
  void theLoggedRedisUrlHidesItsCredentials() {
    assertThat(RedisStore.redacted("redis://app:s3cret@10.0.0.1:6379/0"))
        .isEqualTo("redis://***@10.0.0.1:6379/0");
    assertThat(RedisStore.redacted("redis-sentinel://s3cret@h1:26379,h2:26379/0#mymaster"))
        .isEqualTo("redis-sentinel://***@h1:26379,h2:26379/0#mymaster");
    assertThat(RedisStore.redacted("redis://127.0.0.1:6379")).isEqualTo("redis://127.0.0.1:6379");
  }

  @Test
  void localFallbackEnforcesPerInstanceUntilRedisReturns() throws Exception {
    try (TcpProxy redis = new TcpProxy("127.0.0.1", 6379);
        GatewayFixture gw =
            GatewayFixture.start(
                config(redis.port(), "local-fallback", "[ { requests: 3, window: 1h } ]", "fb"))) {
      assertThat(status(gw)).isEqualTo(200);
      assertThat(status(gw)).isEqualTo(200);
      redis.cut();
      int admitted = 0;
      for (int i = 0; i < 6; i++) {
        admitted += status(gw) == 200 ? 1 : 0;
      }
      assertThat(admitted).isEqualTo(3);
      redis.restore();
      // back on Redis, which counted two: one more passes, then the shared limit holds
      awaitStatus(gw, 200);
      assertThat(status(gw)).isEqualTo(429);
    }
  }

  /** Polls until the gateway answers {@code expected} (Redis reconnects in the background). */
  private static void awaitStatus(GatewayFixture gw, int expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    int last = 0;
    while (System.nanoTime() < deadline) {
      last = status(gw);
      if (last == expected) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("still " + last + ", expected " + expected);
  }
}
