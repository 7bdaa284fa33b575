package io.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.config.AccessLogConfig.FileSink;
import io.portico.config.AccessLogConfig.HttpSink;
import io.portico.config.AccessLogConfig.NatsSink;
import io.portico.config.AccessLogConfig.StdoutSink;
import io.portico.config.AccessLogConfig.SyslogSink;
import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.Problem;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code runtime.access-log}: the short forms, the sinks list, and every problem with its place.
 */
class AccessLogSectionTest {

  @TempDir Path dir;
  private final PluginRegistry registry = PluginRegistry.load(getClass().getClassLoader());

  private ConfigResult parse(String yaml) {
    return ConfigFiles.parse(yaml, "portico.yaml", dir, Map.of(), registry);
  }

  private AccessLogConfig valid(String yaml) {
    ConfigResult result = parse(yaml);
    assertThat(problems(result)).isEmpty();
    return result.config().runtime().accessLog();
  }

  private static List<String> problems(ConfigResult result) {
    return result.problems().list().stream().map(Problem::toString).toList();
  }

  @Test
  void keepsTheShortForms() {
    assertThat(valid("runtime:\n  access-log: stdout\n")).isEqualTo(AccessLogConfig.DEFAULTS);
    assertThat(valid("runtime:\n  access-log: off\n").enabled()).isFalse();
    assertThat(valid("runtime:\n  io-threads: 1\n")).isEqualTo(AccessLogConfig.DEFAULTS);
    assertThat(valid("runtime:\n  access-log: access.log\n").sinks())
        .containsExactly(FileSink.simple("file", dir.resolve("access.log")));
  }

  @Test
  void parsesSeveralSinksWithTheirSettings() {
    AccessLogConfig config =
        valid(
            """
            runtime:
              access-log:
                fields: { include: [ defaults, query ], exclude: [ user_agent ] }
                sample: { ratio: 0.1, keep-errors: false }
                redact: { headers: [ X-Session ], query: [ sig ] }
                sinks:
                  - stdout
                  - access.log
                  - type: file
                    name: rotating
                    path: rotating.log
                    queue: 1000
                    rotate: { max-size: 10MB, interval: 1h, compress: true, keep: 5, max-age: 7d }
                  - type: http
                    url: https://collector.example.com/v1/logs
                    batch-size: 50
                    flush-interval: 2s
                    retries: 4
                    backoff: 100ms
                    max-backoff: 5s
                    timeout: 3s
                    headers: { Authorization: Bearer abc }
                  - type: syslog
                    host: logs.example.com
                    port: 6514
                    protocol: tcp
                    facility: local3
                    app-name: edge
                  - type: nats
                    url: nats://127.0.0.1:4222
                    subject: portico.access
            """);

    assertThat(config.sinks())
        .containsExactly(
            new StdoutSink("stdout", AccessLogConfig.DEFAULT_QUEUE),
            FileSink.simple("file", dir.resolve("access.log")),
            new FileSink(
                "rotating",
                1000,
                dir.resolve("rotating.log"),
                10L * 1024 * 1024,
                Duration.ofHours(1),
                true,
                5,
                Duration.ofDays(7)),
            new HttpSink(
                "http",
                AccessLogConfig.DEFAULT_QUEUE,
                URI.create("https://collector.example.com/v1/logs"),
                50,
                Duration.ofSeconds(2),
                4,
                Duration.ofMillis(100),
                Duration.ofSeconds(5),
                Duration.ofSeconds(3),
                Map.of("Authorization", "Bearer abc")),
            new SyslogSink(
                "syslog",
                AccessLogConfig.DEFAULT_QUEUE,
                "logs.example.com",
                6514,
                "tcp",
                19,
                "edge",
                Duration.ofSeconds(5)),
            new NatsSink(
                "nats",
                AccessLogConfig.DEFAULT_QUEUE,
                "nats://127.0.0.1:4222",
                "portico.access",
                Duration.ofSeconds(5)));
    assertThat(config.fields()).contains("query").doesNotContain("user_agent").startsWith("time");
    assertThat(config.sampleRatio()).isEqualTo(0.1);
    assertThat(config.keepErrors()).isFalse();
    assertThat(config.redactHeaders()).contains("x-session", "authorization", "cookie");
    assertThat(config.redactQuery()).contains("sig", "apikey", "access_token");
  }

  @Test
  void reportsEveryProblemWithItsPlace() {
    ConfigResult result =
        parse(
            """
            runtime:
              access-log:
                sample: 1.5
                fields: { include: [ statuss ] }
                sinks:
                  - type: files
                    path: a.log
                  - type: http
                    url: ftp://collector/logs
                  - type: nats
                    subject: "bad subject"
                  - type: file
                    path: nowhere/a.log
            """);

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:3:13: runtime.access-log.sample: \"1.5\" (expected: a sample ratio from"
                + " 0 to 1, such as 0.1)",
            "portico.yaml:4:26: runtime.access-log.fields.include[0]: \"statuss\" (expected:"
                + " defaults or a field: time, request_id, trace_id, client, method, path, protocol,"
                + " host, route, service, upstream, status, bytes_in, bytes_out, duration_ms,"
                + " upstream_connect_ms, upstream_response_ms, failure, grpc_status, attempts, user_agent,"
                + " backends, consumer, ai_model, ai_provider, ai_provider_model, prompt_tokens,"
                + " completion_tokens, total_tokens, tokens_estimated, cost, ttft_ms,"
                + " tokens_per_second, ai_masked, ai_cache, request_body, response_body, query,"
                + " request_headers, response_headers); did you mean"
                + " \"status\"?",
            "portico.yaml:6:15: runtime.access-log.sinks[0].type: \"files\" (expected: a sink"
                + " type: file, stdout, http, syslog, nats); did you mean \"file\"?",
            "portico.yaml:9:14: runtime.access-log.sinks[1].url: \"ftp://collector/logs\""
                + " (expected: an http:// or https:// URL of a collector)",
            "portico.yaml:10:9: runtime.access-log.sinks[2].url: missing (expected: a nats:// URL"
                + " such as nats://127.0.0.1:4222)",
            "portico.yaml:11:18: runtime.access-log.sinks[2].subject: \"bad subject\" (expected: a"
                + " subject without spaces or wildcards)",
            "portico.yaml:13:15: runtime.access-log.sinks[3].path: \"nowhere/a.log\" (expected:"
                + " stdout, off or a file path in an existing directory; "
                + dir.resolve("nowhere")
                + " is not one)");
  }

  @Test
  void readsAccessLogOffOnARoute() {
    GatewayConfig config =
        parse(
                """
                services:
                  - name: s
                    targets: [ "10.0.0.1:80" ]
                routes:
                  - name: health
                    paths: [ /health ]
                    service: s
                    access-log: false
                  - name: api
                    service: s
                """)
            .config();

    assertThat(config.routes()).extracting(RouteConfig::accessLog).containsExactly(false, true);
  }

  @Test
  void parsesBodyCaptureAndTheRoutesThatTakeIt() {
    ConfigResult result =
        parse(
            """
            services:
              - { name: b, targets: [ "127.0.0.1:1" ] }
            routes:
              - { name: login, paths: [ /login ], service: b, access-log: { body: true } }
              - { name: files, paths: [ /files ], service: b, access-log: { body: false } }
              - { name: quiet, paths: [ /quiet ], service: b, access-log: { enabled: false } }
              - { name: plain, paths: [ /plain ], service: b }
            runtime:
              access-log:
                sinks: [ stdout ]
                redact: { body: [ SSN ] }
                body:
                  request: true
                  response: false
                  max-size: 2k
                  content-types: [ application/json, text/* ]
                  all-routes: false
            """);
    assertThat(problems(result)).isEmpty();
    AccessLogConfig log = result.config().runtime().accessLog();
    assertThat(log.body())
        .isEqualTo(
            new AccessLogConfig.BodyCapture(
                true, false, 2048, List.of("application/json", "text/*"), false));
    assertThat(log.redactBody()).contains("ssn", "password", "api_key");
    Map<String, RouteConfig> routes = new java.util.HashMap<>();
    result.config().routes().forEach(r -> routes.put(r.name(), r));
    assertThat(log.bodyFor(routes.get("login"))).isEqualTo(log.body());
    assertThat(log.bodyFor(routes.get("files"))).isNull();
    assertThat(log.bodyFor(routes.get("quiet"))).isNull();
    assertThat(log.bodyFor(routes.get("plain"))).isNull();
    assertThat(routes.get("quiet").accessLog()).isFalse();
  }

  @Test
  void matchesOnlyTheTextualTypesItNames() {
    AccessLogConfig.BodyCapture capture =
        valid("runtime:\n  access-log:\n    sinks: [ stdout ]\n    body: true\n").body();
    assertThat(capture.maxSize()).isEqualTo(4096);
    assertThat(capture.captures("application/json; charset=utf-8")).isTrue();
    assertThat(capture.captures("Application/Problem+JSON")).isTrue();
    assertThat(capture.captures("text/plain")).isTrue();
    assertThat(capture.captures("application/x-www-form-urlencoded")).isTrue();
    assertThat(capture.captures("application/octet-stream")).isFalse();
    assertThat(capture.captures("image/png")).isFalse();
    assertThat(capture.captures("multipart/form-data; boundary=x")).isFalse();
    assertThat(capture.captures(null)).isFalse();
    assertThat(capture.captures("json")).isFalse();
  }

  @Test
  void refusesBinaryTypesAndCapsBeyondTheMaximum() {
    ConfigResult result =
        parse(
            """
            runtime:
              access-log:
                sinks: [ stdout ]
                body:
                  max-size: 2m
                  content-types: [ "*/*", application/json, "not a type" ]
            """);
    assertThat(problems(result))
        .anySatisfy(p -> assertThat(p).contains("runtime.access-log.body.max-size"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("runtime.access-log.body.content-types[0]")
                    .contains("only textual bodies are captured"))
        .anySatisfy(p -> assertThat(p).contains("runtime.access-log.body.content-types[2]"));
  }

  @Test
  void theBodiesExampleFileIsValid() throws Exception {
    Path example =
        Path.of("").toAbsolutePath().getParent().resolve("examples/access-log-bodies.yaml");
    ConfigResult result =
        ConfigFiles.parse(
            java.nio.file.Files.readString(example),
            "access-log-bodies.yaml",
            dir,
            Map.of(),
            registry);
    assertThat(problems(result)).isEmpty();
    AccessLogConfig log = result.config().runtime().accessLog();
    assertThat(log.body().allRoutes()).isFalse();
    assertThat(result.config().routes())
        .filteredOn(r -> log.bodyFor(r) != null)
        .extracting(RouteConfig::name)
        .containsExactly("login", "orders");
  }
}
