package io.portico.plugins.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.testing.GatewayFixture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.YearMonth;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/**
 * The {@code quota} plugin against the real Redis: monthly allowances per consumer and per group,
 * the distinct problem when used up, usage on the admin API, and counts that survive restarting
 * every instance.
 */
class QuotaTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ZONE = "Pacific/Auckland";

  private static String config(String prefix) {
    return """
        admin:
          address: 127.0.0.1:0
        consumers:
          - name: ann
          - name: gus
            groups: [ gold ]
        routes:
          - name: api
            paths: [ "/api" ]
            plugins:
              test-identity: {}
              quota:
                name: monthly
                limit: 3
                period: month
                time-zone: %s
                groups: { gold: 5 }
                cost-header: X-Cost
                redis: { url: "redis://127.0.0.1:6379", prefix: "%s", on-failure: fail-closed }
              mock: { status: 200 }
          - name: team
            paths: [ "/team" ]
            plugins:
              test-identity: {}
              quota:
                name: team-daily
                limit: 1
                period: day
                per: group
                groups: { gold: 2 }
                redis: { url: "redis://127.0.0.1:6379", prefix: "%s", on-failure: fail-open }
              mock: { status: 200 }
        """
        .formatted(ZONE, prefix, prefix);
  }

  private static int call(GatewayFixture gw, String path, String consumer, String... more)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(gw.uri(path)).header("X-Test-Consumer", consumer);
    if (more.length > 0) {
      b.headers(more);
    }
    return gw.send(b).statusCode();
  }

  @Test
  void quotaHoldsAcrossARestartOfEveryInstanceAndShowsOnTheAdminApi() throws Exception {
    String prefix = RateLimitRedisTest.PREFIX + "quota-restart:";
    try (GatewayFixture a = GatewayFixture.start(config(prefix));
        GatewayFixture b = GatewayFixture.start(config(prefix))) {
      assertThat(call(a, "/api", "ann")).isEqualTo(200);
      assertThat(call(b, "/api", "ann", "X-Cost", "2")).isEqualTo(200);
      assertThat(call(a, "/api", "gus", "X-Test-Groups", "gold")).isEqualTo(200);
    }
    try (GatewayFixture c = GatewayFixture.start(config(prefix))) {
      HttpResponse<String> refused =
          c.send(HttpRequest.newBuilder(c.uri("/api")).header("X-Test-Consumer", "ann"));
      assertThat(refused.statusCode()).isEqualTo(429);
      JsonNode problem = JSON.readTree(refused.body());
      assertThat(problem.path("type").asText()).endsWith("quota-exceeded");
      assertThat(refused.headers().firstValue("Retry-After")).isPresent();

      JsonNode ann = JSON.readTree(c.admin("/quotas/ann").body());
      JsonNode monthly = quota(ann, "monthly");
      assertThat(monthly.path("used").asLong()).isEqualTo(3);
      assertThat(monthly.path("limit").asLong()).isEqualTo(3);
      assertThat(monthly.path("remaining").asLong()).isZero();
      assertThat(monthly.path("window").asText())
          .isEqualTo(YearMonth.now(ZoneId.of(ZONE)).toString());

      JsonNode gus = quota(JSON.readTree(c.admin("/quotas/gus").body()), "monthly");
      assertThat(gus.path("used").asLong()).isEqualTo(1);
      assertThat(gus.path("limit").asLong()).isEqualTo(5);
    }
  }

  @Test
  void readsTheCostHeaderAsRateLimitDoes() throws Exception {
    String prefix = RateLimitRedisTest.PREFIX + "quota-cost:";
    try (GatewayFixture gw = GatewayFixture.start(config(prefix))) {
      assertThat(call(gw, "/api", "ann", "X-Cost", "-2")).isEqualTo(200);
      assertThat(call(gw, "/api", "ann", "X-Cost", "1.5")).isEqualTo(200);
      assertThat(call(gw, "/api", "ann", "X-Cost", "99999999999999999999")).isEqualTo(429);
      assertThat(call(gw, "/api", "ann", "X-Cost", "1")).isEqualTo(200);
      JsonNode monthly = quota(JSON.readTree(gw.admin("/quotas/ann").body()), "monthly");
      assertThat(monthly.path("used").asLong()).isEqualTo(3);
    }
  }

  @Test
  void groupQuotaIsSharedByTheGroupsConsumers() throws Exception {
    String prefix = RateLimitRedisTest.PREFIX + "quota-group:";
    try (GatewayFixture gw = GatewayFixture.start(config(prefix))) {
      assertThat(call(gw, "/team", "gus", "X-Test-Groups", "gold")).isEqualTo(200);
      assertThat(call(gw, "/team", "hal", "X-Test-Groups", "gold")).isEqualTo(200);
      assertThat(call(gw, "/team", "ivy", "X-Test-Groups", "gold")).isEqualTo(429);
      assertThat(call(gw, "/team", "ann")).isEqualTo(200);
      assertThat(call(gw, "/team", "ann")).isEqualTo(429);
      assertThat(gw.get("/team").body()).contains("quota-consumer-missing");
      JsonNode team = quota(JSON.readTree(gw.admin("/quotas/gus").body()), "team-daily");
      assertThat(team.path("subject").asText()).isEqualTo("group:gold");
      assertThat(team.path("used").asLong()).isEqualTo(2);
    }
  }

  private static JsonNode quota(JsonNode usage, String name) {
    for (JsonNode q : usage.path("quotas")) {
      if (q.path("quota").asText().equals(name)) {
        return q;
      }
    }
    throw new AssertionError("no quota " + name + " in " + usage);
  }
}
