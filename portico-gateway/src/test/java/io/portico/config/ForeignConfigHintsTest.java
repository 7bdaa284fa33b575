package io.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A config written the way Kong or APISIX write theirs: every key and plugin name those products
 * use for what Portico writes differently is reported with the Portico form, at its place.
 */
class ForeignConfigHintsTest {

  @TempDir Path dir;

  private List<String> problems(String yaml) throws Exception {
    Path file = dir.resolve("portico.yaml");
    Files.writeString(file, yaml);
    ConfigResult result =
        ConfigFiles.load(file, Map.of(), PluginRegistry.load(getClass().getClassLoader()));
    assertThat(result.config()).isNull();
    return result.problems().list().stream()
        .map(Problem::toString)
        .map(p -> p.substring(file.toString().length()))
        .toList();
  }

  @Test
  void kongAndApisixRouteAndServiceKeysNameThePorticoForm() throws Exception {
    List<String> problems =
        problems(
            """
            upstreams:
              - name: u
            services:
              - name: backend
                targets: [ "127.0.0.1:9000" ]
                connect_timeout: 60000
                retries: 5
                nodes: { "127.0.0.1:9001": 1 }
            routes:
              - name: r
                paths: [ /a ]
                strip_path: true
                upstream_id: 1
                service: backend
              - name: r2
                uri: /b
                upstream: { nodes: { "127.0.0.1:9000": 1 } }
                regex_priority: 5
                preserve_host: true
                service: backend
            """);

    assertThat(problems)
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(":1:1: upstreams: unknown key \"upstreams\"")
                    .endsWith(
                        "; upstreams are services here: services: [ { name: NAME, targets: ["
                            + " \"host:port\" ] } ], named by routes with service: NAME"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(":6:5: services[0].connect_timeout: unknown key")
                    .endsWith(
                        "; write timeouts: { connect: 5s, response: 60s, idle: 60s }, durations"
                            + " with a unit"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(":7:5: services[0].retries: unknown key")
                    .endsWith("; write retry: { attempts: N } (attempts after the first)"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(":8:5: services[0].nodes: unknown key")
                    .contains("; write targets: [ \"host:port\" ]"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(":12:5: routes[0].strip_path: unknown key")
                    .endsWith(
                        "; write strip-prefix: true to remove the matched path prefix upstream"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(":13:5: routes[0].upstream_id: unknown key")
                    .endsWith("; name the service with service: NAME"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(":16:5: routes[1].uri: unknown key")
                    .contains("; write paths: [ \"/b\" ]"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(":17:5: routes[1].upstream: unknown key")
                    .endsWith(
                        "; an upstream is a service here: define it under services: with"
                            + " targets: and name it with service: NAME"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(":18:5: routes[1].regex_priority: unknown key")
                    .endsWith("; write priority: N (higher wins over lower)"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(":19:5: routes[1].preserve_host: unknown key")
                    .endsWith("; did you mean \"preserve-host\"?"));
  }

  @Test
  void aPluginsSettingsInsideKongsConfigLevelAreReadAndTheLevelReported() throws Exception {
    List<String> problems =
        problems(
            """
            routes:
              - name: r
                paths: [ /a ]
                plugins:
                  key-auth:
                    enabled: true
                    config: { key_names: [ apikey ], hide-credentials: maybe }
                  mock: {}
            """);

    assertThat(problems)
        .hasSize(4)
        .anySatisfy(
            p ->
                assertThat(p)
                    .isEqualTo(
                        ":7:9: routes[0].plugins.key-auth.config: a config: level (expected: the"
                            + " plugin's settings directly under key-auth:, as key-auth: { ..."
                            + " }, without config:)"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .isEqualTo(
                        ":6:9: routes[0].plugins.key-auth.enabled: enabled (expected: no enabled"
                            + " key: a plugin written is on; remove it to turn it off)"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(":7:19: routes[0].plugins.key-auth.config.key_names: unknown key")
                    .contains("header-names"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(
                        ":7:60: routes[0].plugins.key-auth.config.hide-credentials: \"maybe\""));
  }

  @Test
  void anAddressWrittenAsAShellVariableIsToldHowToReadTheEnvironment() throws Exception {
    List<String> problems =
        problems(
            """
            listeners: [ { address: "$LISTEN" } ]
            services: [ { name: s, targets: [ "$UPSTREAM:8080" ] } ]
            """);

    assertThat(problems)
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(":1:25: listeners[0].address: \"$LISTEN\"")
                    .endsWith(
                        "; an environment variable is read as ${LISTEN}, or ${LISTEN:-default}"
                            + " with a default)"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(":2:35: services[0].targets[0]: \"$UPSTREAM:8080\"")
                    .endsWith(
                        "; an environment variable is read as ${UPSTREAM}, or"
                            + " ${UPSTREAM:-default} with a default)"));
  }

  @Test
  void kongsUpstreamUrlAndStripUriNameThePorticoForm() throws Exception {
    List<String> problems =
        problems(
            """
            services:
              - name: users
                upstream_url: http://127.0.0.1:9000
            routes:
              - name: users
                paths: [ /users ]
                strip_uri: true
                upstream_url: http://127.0.0.1:9000
                plugins: { mock: {} }
            """);

    assertThat(problems)
        .containsExactly(
            ":3:5: services[0].upstream_url: unknown key \"upstream_url\"; write targets: ["
                + " \"http://host:port\" ] (https:// for TLS), and a path prefix as the routes'"
                + " rewrite-path (the required key \"targets\" is missing; expected: a list of"
                + " host:port targets)",
            ":7:5: routes[0].strip_uri: unknown key \"strip_uri\" (expected one of: access-log,"
                + " aggregate, ai, grpc, headers, hosts, methods, mirror, name, path-match, paths,"
                + " plugins, preserve-host, priority, query, rewrite-path, service, strip-prefix,"
                + " timeouts, traffic-split); write strip-prefix: true to remove the matched path"
                + " prefix upstream",
            ":8:5: routes[0].upstream_url: unknown key \"upstream_url\" (expected one of:"
                + " access-log, aggregate, ai, grpc, headers, hosts, methods, mirror, name,"
                + " path-match, paths, plugins, preserve-host, priority, query, rewrite-path,"
                + " service, strip-prefix, timeouts, traffic-split); define the upstream under"
                + " services: with targets: [ \"http://host:port\" ] and name it with service:"
                + " NAME");
  }

  @Test
  void aForeignKeyInsideAPluginConfigGetsNoHintMeantForARouteOrService() throws Exception {
    List<String> problems =
        problems(
            """
            routes:
              - name: r
                paths: [ /a ]
                plugins:
                  mock: { body: x, upstream: u }
            """);

    assertThat(problems)
        .singleElement()
        .asString()
        .startsWith(":5:24: routes[0].plugins.mock.upstream: unknown key \"upstream\"")
        .doesNotContain("service");
  }

  @Test
  void snakeCaseKeysSuggestTheKebabCaseKey() throws Exception {
    assertThat(problems("limits:\n  max_request_line_size: 8k\n  max_body_size: 1m\n"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(":3:3: limits.max_body_size: unknown key")
                    .endsWith("; did you mean \"max-body-size\"?"));
  }

  @Test
  void kongAndApisixPluginNamesNameThePorticoPluginOrKey() throws Exception {
    List<String> problems =
        problems(
            """
            routes:
              - name: r
                paths: [ /a ]
                plugins:
                  limit-count: { count: 5, time_window: 60 }
                  proxy-rewrite: { uri: /b }
                  prometheus: {}
                  mock: {}
            """);

    assertThat(problems)
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(":5:7: routes[0].plugins.limit-count: unknown plugin")
                    .endsWith(
                        "; write rate-limit: { limits: [ { requests: N, window: 1m } ] }, with"
                            + " algorithm: token-bucket for a steady rate"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(":6:7: routes[0].plugins.proxy-rewrite: unknown plugin")
                    .endsWith(
                        "; the path and Host sent upstream are the route's strip-prefix,"
                            + " rewrite-path and preserve-host; headers and bodies are"
                            + " request-transformer"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(":7:7: routes[0].plugins.prometheus: unknown plugin")
                    .contains("admin listener's /metrics"));
  }

  @Test
  void aKongPluginListSaysWhichObjectToWrite() throws Exception {
    assertThat(
            problems(
                """
                routes:
                  - name: r
                    paths: [ /a ]
                    plugins:
                      - name: key-auth
                        config: { header-names: [ apikey ] }
                      - name: cors
                      - mock: {}
                      - echo
                """))
        .contains(
            ":5:7: routes[0].plugins: a list (expected: an object of plugin-name: config, each"
                + " plugin on its own line without a leading dash, such as plugins: { key-auth:"
                + " {...}, cors: {...}, mock: {...}, echo: {...} })");
  }

  @Test
  void aPluginKeyWrittenOneLevelTooHighSaysWhereItGoes() throws Exception {
    List<String> problems =
        problems(
            """
            routes:
              - name: r
                paths: [ /a ]
                plugins:
                  jwt: { algorithms: [ RS256 ], jwks-url: "https://idp.example.com/jwks" }
                  rate-limit: { requests: 10, window: 1m }
                  mock: {}
            """);

    assertThat(problems)
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(":5:37: routes[0].plugins.jwt.jwks-url: unknown key \"jwks-url\"")
                    .contains(
                        "an issuer's keys are written in its entry: issuers: [ { issuer: ISS,"
                            + " jwks-url: URL } ]"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(
                        ":6:21: routes[0].plugins.rate-limit.requests: unknown key \"requests\"")
                    .contains("each limit is written in limits: [ { requests: N, window: 1m } ]"));
  }

  @Test
  void aTargetWrittenWithAPathNamesRewritePath() throws Exception {
    List<String> problems =
        problems(
            """
            services:
              - name: s
                targets:
                  - "http://127.0.0.1:9000/api/"
                  - { target: "api.internal:8080/", weight: 2 }
            routes:
              - name: r
                paths: [ /a ]
                service: s
            """);

    assertThat(problems)
        .containsExactly(
            ":4:9: services[0].targets[0]: \"http://127.0.0.1:9000/api/\" (expected: a host:port"
                + " or [IPv6]:port with a port from 1 to 65535; a target's path is not used: write"
                + " \"http://127.0.0.1:9000\" and the path sent upstream in the routes'"
                + " rewrite-path, such as /api/users/{id} for the route path /users/{id})",
            ":5:19: services[0].targets[1].target: \"api.internal:8080/\" (expected: host:port"
                + " or [IPv6]:port with a port from 1 to 65535; a target has no path: write"
                + " \"api.internal:8080\")");
  }

  @Test
  void aDurationWithoutItsUnitOrWithASpaceSaysHowToWriteIt() throws Exception {
    List<String> problems =
        problems(
            """
            services:
              - name: s
                targets: [ "127.0.0.1:9000" ]
                timeouts: { connect: 30, response: 30 s, idle: 2 minutes }
            routes:
              - name: r
                paths: [ /a ]
                service: s
            """);

    assertThat(problems)
        .containsExactly(
            ":4:26: services[0].timeouts.connect: \"30\" (expected: a duration such as 250ms, 5s,"
                + " 1m, 2h or 1d; a duration has a unit: write 30s for seconds or 30ms for"
                + " milliseconds)",
            ":4:40: services[0].timeouts.response: \"30 s\" (expected: a duration such as 250ms,"
                + " 5s, 1m, 2h or 1d; write 30s)",
            ":4:52: services[0].timeouts.idle: \"2 minutes\" (expected: a duration such as 250ms,"
                + " 5s, 1m, 2h or 1d; write 2m)");
  }

  @Test
  void kongAndApisixPluginKeysNameThePorticoForm() throws Exception {
    List<String> problems =
        problems(
            """
            routes:
              - name: r
                paths: [ /a ]
                plugins:
                  key-auth: { key_names: [ apikey ] }
                  cors: { origins: [ "*" ], credentials: true, headers: [ X-A ] }
                  ip-restriction: { whitelist: [ 10.0.0.0/8 ] }
                  acl: { allow: [ admins ] }
                  rate-limit: { minute: 5 }
                  mock: {}
            """);

    assertThat(problems)
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(":5:19: routes[0].plugins.key-auth.key_names: unknown key")
                    .endsWith(
                        "; the names a key is looked for under are header-names: [ NAME ] for"
                            + " headers and query-names: [ NAME ] for query parameters"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(":6:15: routes[0].plugins.cors.origins: unknown key")
                    .endsWith("; did you mean \"allow-origins\"?"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(":6:33: routes[0].plugins.cors.credentials: unknown key")
                    .endsWith("; did you mean \"allow-credentials\"?"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(":6:52: routes[0].plugins.cors.headers: unknown key")
                    .endsWith(
                        "the request headers a preflight may ask for are allow-headers: [ NAME ],"
                            + " the response headers a page may read are expose-headers: [ NAME ]"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(":7:25: routes[0].plugins.ip-restriction.whitelist: unknown key")
                    .endsWith("; write allow: [ ADDRESS or CIDR, ... ]"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(":8:14: routes[0].plugins.acl.allow: unknown key")
                    .endsWith(
                        "; write allow-groups: [ GROUP, ... ] for consumers' groups, or"
                            + " allow-consumers: [ NAME, ... ]"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(":9:21: routes[0].plugins.rate-limit.minute: unknown key")
                    .contains(
                        "; each limit is written in limits: [ { requests: N, window: 1m } ]"));
  }

  @Test
  void kongRedisKeysAndAConsumersPluginsNameThePorticoForm() throws Exception {
    List<String> problems =
        problems(
            """
            routes:
              - name: r
                paths: [ /a ]
                plugins:
                  rate-limit:
                    policy: redis
                    redis_host: 127.0.0.1
                    limits: [ { requests: 5, window: 1s } ]
                  quota:
                    limit: 5
                    period: day
                    redis: { url: "127.0.0.1:6379", on-failure: fail-open }
                  mock: {}
            consumers:
              - name: c
                plugins: { rate-limit: { limits: [ { requests: 5, window: 1s } ] } }
            """);

    assertThat(problems)
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(":7:9: routes[0].plugins.rate-limit.redis_host: unknown key")
                    .contains(
                        "Redis is one URI: redis: { url: \"redis://[user:password@]host:6379/0\""))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(":12:23: routes[0].plugins.quota.redis.url: \"127.0.0.1:6379\"")
                    .endsWith("; write redis://127.0.0.1:6379)"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(":16:5: consumers[0].plugins: unknown key \"plugins\"")
                    .contains("a limit per consumer is rate-limit with key: consumer"));
  }
}
