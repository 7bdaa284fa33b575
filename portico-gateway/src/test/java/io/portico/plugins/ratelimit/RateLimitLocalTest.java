package io.portico.plugins.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.GatewayFixture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The {@code rate-limit} plugin with the local policy, in a running gateway over real sockets. */
class RateLimitLocalTest {

  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    gw =
        GatewayFixture.start(
            """
            routes:
              - name: global
                paths: [ "/global" ]
                plugins:
                  rate-limit: { limits: [ { requests: 100, window: 1m } ], key: global }
                  mock: { status: 200 }
              - name: fixed
                paths: [ "/fixed" ]
                plugins:
                  rate-limit:
                    algorithm: fixed-window
                    limits: [ { requests: 100, window: 1m } ]
                    key: global
                  mock: { status: 200 }
              - name: two
                paths: [ "/two" ]
                plugins:
                  rate-limit:
                    limits: [ { name: burst, requests: 2, window: 1s }, { name: hourly, requests: 1000, window: 1h } ]
                    key: [ ip, route ]
                  mock: { status: 200 }
              - name: tiers
                paths: [ "/tiers" ]
                plugins:
                  test-identity: {}
                  rate-limit:
                    limits: [ { requests: 2, window: 1h } ]
                    key: consumer
                    groups: { gold: 10 }
                  mock: { status: 200 }
              - name: fallback
                paths: [ "/fallback" ]
                plugins:
                  test-identity: {}
                  rate-limit:
                    limits: [ { requests: 1, window: 1h } ]
                    key: consumer
                    missing-key: ip
                    headers: { ietf: false, legacy: false }
                  mock: { status: 200 }
              - name: tenant
                paths: [ "/tenant/{id}" ]
                plugins:
                  rate-limit:
                    limits: [ { requests: 3, window: 1d } ]
                    key: [ "header:X-Tenant", "path:id" ]
                    cost-header: X-Cost
                    status: 503
                  mock: { status: 200 }
              - name: bucket
                paths: [ "/bucket" ]
                plugins:
                  rate-limit:
                    algorithm: token-bucket
                    limits: [ { requests: 1, window: 1h, burst: 3 } ]
                    key: global
                  mock: { status: 200 }
              - name: metered
                paths: [ "/metered" ]
                plugins:
                  rate-limit:
                    limits: [ { requests: 100, window: 1h } ]
                    key: global
                    cost-response-header: X-Tokens
                  mock: { status: 200, headers: { X-Tokens: "60" } }
            """);
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  private static HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return gw.send(b);
  }

  @Test
  void admitsExactlyTheLimitOf2000ConcurrentRequests() throws Exception {
    Load.awayFromMinuteEdge(Duration.ofSeconds(15));
    assertThat(Load.admitted(2000, 50, i -> gw.uri("/global"))).isEqualTo(100);
    assertThat(Load.admitted(2000, 50, i -> gw.uri("/fixed"))).isEqualTo(100);
  }

  @Test
  void reportsEveryLimitInHeadersAndRefusesWithProblemAndRetryAfter() throws Exception {
    HttpResponse<String> first = get("/two");
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("RateLimit-Policy"))
        .hasValue("\"burst\";q=2;w=1, \"hourly\";q=1000;w=3600");
    assertThat(first.headers().firstValue("RateLimit").orElseThrow())
        .matches("\"burst\";r=1;t=1, \"hourly\";r=999;t=\\d+");
    assertThat(first.headers().firstValue("X-RateLimit-Limit")).hasValue("2");
    assertThat(first.headers().firstValue("X-RateLimit-Remaining")).hasValue("1");

    get("/two");
    HttpResponse<String> third = get("/two");
    if (third.statusCode() == 200) {
      // the one-second window turned between the requests: exhaust the new one
      get("/two");
      third = get("/two");
    }
    assertThat(third.statusCode()).isEqualTo(429);
    assertThat(third.headers().firstValue("content-type").orElseThrow())
        .startsWith("application/problem+json");
    assertThat(third.body()).contains("rate-limited");
    assertThat(third.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(third.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");
  }

  @Test
  void goldConsumersGetTenTimesTheLimitAndConsumersAreCountedApart() throws Exception {
    int gold = 0;
    int plain = 0;
    int other = 0;
    for (int i = 0; i < 25; i++) {
      gold +=
          get("/tiers", "X-Test-Consumer", "ann", "X-Test-Groups", "gold").statusCode() == 200
              ? 1
              : 0;
      plain += get("/tiers", "X-Test-Consumer", "bob").statusCode() == 200 ? 1 : 0;
      other +=
          get("/tiers", "X-Test-Consumer", "cid", "X-Test-Groups", "silver").statusCode() == 200
              ? 1
              : 0;
    }
    assertThat(gold).isEqualTo(20);
    assertThat(plain).isEqualTo(2);
    assertThat(other).isEqualTo(2);
    HttpResponse<String> anonymous = get("/tiers");
    assertThat(anonymous.statusCode()).isEqualTo(429);
    assertThat(anonymous.body()).contains("rate-limit-key-missing");
  }

  @Test
  void missingConsumerFallsBackToTheClientAddressWhenConfigured() throws Exception {
    assertThat(get("/fallback").statusCode()).isEqualTo(200);
    HttpResponse<String> second = get("/fallback");
    assertThat(second.statusCode()).isEqualTo(429);
    assertThat(second.headers().firstValue("RateLimit")).isEmpty();
    assertThat(second.headers().firstValue("Retry-After")).isPresent();
    assertThat(get("/fallback", "X-Test-Consumer", "dan").statusCode()).isEqualTo(200);
  }

  @Test
  void countsTheCostFromARequestHeaderPerHeaderAndPathValue() throws Exception {
    assertThat(get("/tenant/1", "X-Tenant", "a", "X-Cost", "2").statusCode()).isEqualTo(200);
    assertThat(get("/tenant/1", "X-Tenant", "a", "X-Cost", "2").statusCode()).isEqualTo(503);
    assertThat(get("/tenant/1", "X-Tenant", "a").statusCode()).isEqualTo(200);
    assertThat(get("/tenant/2", "X-Tenant", "a", "X-Cost", "3").statusCode()).isEqualTo(200);
    assertThat(get("/tenant/1", "X-Tenant", "b", "X-Cost", "3").statusCode()).isEqualTo(200);
    assertThat(get("/tenant/1").statusCode()).isEqualTo(503);
  }

  @Test
  void countsAMalformedCostAsTheConfiguredOneAndAHugeOneAsTheMaximum() throws Exception {
    assertThat(get("/tenant/9", "X-Tenant", "c", "X-Cost", "-5").statusCode()).isEqualTo(200);
    assertThat(get("/tenant/9", "X-Tenant", "c", "X-Cost", "1e3").statusCode()).isEqualTo(200);
    assertThat(get("/tenant/9", "X-Tenant", "c", "X-Cost", "99999999999999999999").statusCode())
        .isEqualTo(503);
    assertThat(get("/tenant/9", "X-Tenant", "c", "X-Cost", "1").statusCode()).isEqualTo(200);
    assertThat(get("/tenant/9", "X-Tenant", "c").statusCode()).isEqualTo(503);
  }

  @Test
  void tokenBucketAllowsTheBurstThenRefusesUntilRefilled() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(get("/bucket").statusCode()).isEqualTo(200);
    }
    HttpResponse<String> refused = get("/bucket");
    assertThat(refused.statusCode()).isEqualTo(429);
    long retry = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
    assertThat(retry).isBetween(3500L, 3600L);
  }

  @Test
  void countsACostCarriedByTheResponse() throws Exception {
    assertThat(get("/metered").statusCode()).isEqualTo(200);
    HttpResponse<String> second = get("/metered");
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(second.headers().firstValue("X-RateLimit-Remaining")).hasValue("40");
    assertThat(get("/metered").statusCode()).isEqualTo(429);
  }
}
