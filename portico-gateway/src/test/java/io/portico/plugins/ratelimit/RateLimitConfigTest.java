package io.portico.plugins.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.config.ConfigFiles;
import io.portico.config.ConfigResult;
import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.Problem;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Config checks of the rate-limit family: every problem reported at once, at its path. */
class RateLimitConfigTest {

  private final PluginRegistry registry = PluginRegistry.load(getClass().getClassLoader());

  private List<String> problems(String plugins) {
    String yaml =
        """
        listeners: [ { address: 127.0.0.1:0 } ]
        routes:
          - name: r
            paths: [ "/r" ]
            plugins:
        """
            + plugins.indent(6)
            + "      mock: {}\n";
    ConfigResult result = ConfigFiles.parse(yaml, "portico.yaml", Path.of("."), Map.of(), registry);
    return result.problems().list().stream().map(Problem::toString).toList();
  }

  @Test
  void acceptsAFullRateLimitConfig() {
    assertThat(
            problems(
                """
                rate-limit:
                  name: api
                  algorithm: token-bucket
                  limits: [ { requests: 10, window: 1s, burst: 20 }, { name: yearly, requests: 1000000, window: 1y } ]
                  key: [ consumer, "header:X-Tenant", "path:id" ]
                  missing-key: ip
                  groups: { gold: 10, trial: 0.5 }
                  cost-header: X-Cost
                  policy: redis
                  redis: { url: "redis://127.0.0.1:6379/2", prefix: "gw:", timeout: 50ms, on-failure: local-fallback }
                  headers: { legacy: false }
                  status: 503
                """))
        .isEmpty();
  }

  @Test
  void reportsEveryRateLimitProblemAtItsPath() {
    List<String> problems =
        problems(
            """
            rate-limit:
              algorithm: leaky
              limits: [ { requests: 0, window: 500ms }, { requests: 5, window: 2y } ]
              key: [ consumer, "cookie:x" ]
              groups: { gold: -1 }
              policy: redis
              redis: { url: "redis://127.0.0.1:6379" }
              cost-header: X-Cost
              cost-response-header: X-Tokens
            """);
    assertThat(problems)
        .anyMatch(p -> p.contains("rate-limit.algorithm") && p.contains("sliding-window"))
        .anyMatch(p -> p.contains("limits[0].requests") && p.contains("an integer from 1"))
        .anyMatch(p -> p.contains("limits[0].window") && p.contains(RateLimitFactory.WINDOW_RULE))
        .anyMatch(p -> p.contains("limits[1].window"))
        .anyMatch(p -> p.contains("key[1]") && p.contains("header:<name>"))
        .anyMatch(p -> p.contains("groups.gold") && p.contains("a factor above 0"))
        .anyMatch(p -> p.contains("redis.on-failure") && p.contains("fail-open"))
        .anyMatch(p -> p.contains("cost-response-header") && p.contains("at most one"));
  }

  @Test
  void aWindowWrittenAsWordsIsToldHowToWriteIt() {
    assertThat(
            problems(
                """
                rate-limit:
                  limits: [ { requests: 10, window: "1 minute" }, { requests: 5, window: 30 } ]
                """))
        .anyMatch(
            p ->
                p.contains("limits[0].window")
                    && p.contains(RateLimitFactory.WINDOW_RULE + "; write 1m)"))
        .anyMatch(
            p -> p.contains("limits[1].window") && p.contains("a duration has a unit: write 30s"));
  }

  @Test
  void aKeyWrittenInsideALimitIsToldToMoveBesideLimits() {
    assertThat(
            problems(
                """
                rate-limit:
                  limits:
                    - { requests: 10, window: 1m, key: consumer }
                    - { requests: 500, window: 1h, limit-by: ip, missing-key: ip }
                """))
        .containsExactly(
            "portico.yaml:8:41: routes[0].plugins.rate-limit.limits[0].key: key inside a limit"
                + " (expected: key beside limits, where it applies to every limit: rate-limit: {"
                + " key: consumer, limits: [ { requests: 100, window: 1m } ] })",
            "portico.yaml:9:42: routes[0].plugins.rate-limit.limits[1].limit-by: limit-by inside"
                + " a limit (expected: key beside limits, where it applies to every limit:"
                + " rate-limit: { key: ip, limits: [ { requests: 100, window: 1m } ] })",
            "portico.yaml:9:56: routes[0].plugins.rate-limit.limits[1].missing-key: missing-key"
                + " inside a limit (expected: missing-key beside limits, where it applies to every"
                + " limit: rate-limit: { missing-key: ip, limits: [ { requests: 100, window: 1m } ]"
                + " })");
  }

  @Test
  void requiresTheRedisSettingsOnlyForTheRedisPolicy() {
    assertThat(problems("rate-limit: { limits: [ { requests: 1, window: 1m } ], policy: redis }"))
        .anyMatch(p -> p.contains("rate-limit.redis") && p.contains("missing"));
    assertThat(
            problems("rate-limit: { limits: [ { requests: 1, window: 1m } ], redis: { url: x } }"))
        .anyMatch(p -> p.contains("only with policy: redis"));
  }

  @Test
  void acceptsClusterUrlsAndRejectsMalformedOnes() {
    assertThat(
            problems(
                """
                rate-limit:
                  limits: [ { requests: 1, window: 1m } ]
                  policy: redis
                  redis: { url: "rediss-cluster://user:secret@h1:7000,h2:7001,h3?timeout=5s", on-failure: fail-open }
                quota: { limit: 5, redis: { url: "redis-cluster://h1:7000", on-failure: fail-open } }
                """))
        .isEmpty();
    for (String url :
        List.of("redis-cluster://", "redis-cluster://h1,,h2", "redis-cluster://h/1")) {
      assertThat(
              problems(
                  "quota: { limit: 5, redis: { url: \"%s\", on-failure: fail-open } }"
                      .formatted(url)))
          .as(url)
          .anyMatch(p -> p.contains("quota.redis.url") && p.contains("redis-cluster://"));
    }
    assertThat(RedisStore.clusterNodes("rediss-cluster://u:p@h1:7000,h2?timeout=5s"))
        .extracting(u -> u.getHost() + ":" + u.getPort() + " " + u.isSsl() + " " + u.getTimeout())
        .containsExactly("h1:7000 true PT5S", "h2:6379 true PT5S");
  }

  @Test
  void rejectsBracesThatWouldBreakTheClusterHashTag() {
    assertThat(
            problems(
                """
                rate-limit:
                  name: "}api"
                  limits: [ { requests: 1, window: 1m } ]
                  policy: redis
                  redis: { url: "redis://h", prefix: "gw:{}", on-failure: fail-open }
                """))
        .anyMatch(p -> p.contains("rate-limit.name") && p.contains("no { or }"))
        .anyMatch(p -> p.contains("rate-limit.redis.prefix") && p.contains("no { or }"));
  }

  @Test
  void reportsQuotaAndLimitConnProblems() {
    assertThat(
            problems(
                """
                quota: { limit: 0, period: week, time-zone: Mars/Olympus, per: group, redis: { url: "redis://h", on-failure: fail-closed } }
                limit-conn: { queue: -1, queue-timeout: 0ms }
                """))
        .anyMatch(p -> p.contains("quota.limit"))
        .anyMatch(p -> p.contains("quota.period") && p.contains("day, month"))
        .anyMatch(p -> p.contains("quota.time-zone"))
        .anyMatch(p -> p.contains("quota.groups") && p.contains("missing"))
        .anyMatch(p -> p.contains("limit-conn.max") && p.contains("missing"))
        .anyMatch(p -> p.contains("limit-conn.queue") && p.contains("from 0"))
        .anyMatch(p -> p.contains("limit-conn.queue-timeout"));
  }
}
