package io.portico.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portico.app.Version;
import io.portico.testing.PorticoProcess;
import io.portico.testing.TestOrigin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code portico} command as a real process: {@code validate}, {@code version}, {@code --help},
 * and {@code run} with its banner, reloads on file change and {@code SIGHUP}, and a graceful exit
 * on {@code SIGTERM}.
 */
class PorticoCommandTest {

  private static final Duration START = Duration.ofSeconds(30);
  private static final Pattern LISTENING =
      Pattern.compile("listening on +http://127\\.0\\.0\\.1:(\\d+)\\n");
  private static final Pattern ADMIN =
      Pattern.compile("admin API on +http://127\\.0\\.0\\.1:(\\d+)");
  private static final Pattern TRY = Pattern.compile("try: +curl -i (http://\\S+)\\n");

  @TempDir Path dir;
  private TestOrigin origin;
  private PorticoProcess portico;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeEach
  void startOrigin() throws Exception {
    origin = TestOrigin.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (portico != null) {
      portico.close();
    }
    origin.close();
  }

  private Path write(String name, String yaml) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, yaml);
    return file;
  }

  /** A config with a mock route first (the banner's curl line) and a proxied route named api. */
  private String runnable(String apiPrefix, boolean watch) {
    return """
        listeners:
          - address: 127.0.0.1:0
        admin:
          address: 127.0.0.1:0
        services:
          - name: backend
            targets: [ "%s" ]
        routes:
          - name: hello
            paths: [ "/hello" ]
            path-match: exact
            plugins:
              mock: { body: "hi" }
          - name: api
            paths: [ "%s" ]
            strip-prefix: true
            service: backend
        runtime:
          io-threads: 1
          watch-config: %s
          access-log: off
          shutdown-timeout: 10s
        """
        .formatted(origin.authority(), apiPrefix, watch);
  }

  private HttpResponse<String> get(String url) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Starts {@code portico run -c FILE} and returns the base URL of its listener. */
  private String run(Path config) throws Exception {
    portico = PorticoProcess.start(dir, "run", "-c", config.toString());
    MatchResult listening = portico.awaitStdout(LISTENING, START);
    return "http://127.0.0.1:" + listening.group(1);
  }

  private int status(String url) {
    try {
      return get(url).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  @Test
  void validateReportsEveryProblemWithItsPlaceAndExits1() throws Exception {
    Path bad =
        write(
            "bad.yaml",
            """
            services:
              - name: backend
                targets: [ "127.0.0.1:9001" ]
            routes:
              - name: broken
                paths: [ "users/{id" ]
                service: backnd
            limts: {}
            """);

    try (PorticoProcess p = PorticoProcess.start(dir, "validate", "-c", bad.toString())) {
      assertThat(p.awaitExit(START)).isEqualTo(1);
      assertThat(p.stderr())
          .contains(bad + ":6:14: routes[0].paths[0]: \"users/{id\" (expected: ")
          .contains(bad + ":7:14: routes[0].service: \"backnd\" (expected: ")
          .containsPattern(Pattern.quote(bad.toString()) + ":8:\\d+: limts: unknown key")
          .contains(bad + ": 3 problems");
      assertThat(p.stdout()).isEmpty();
    }
  }

  @Test
  void validateReportsEveryMistakeOfTheAlertRules() throws Exception {
    Path bad =
        write(
            "alerts.yaml",
            """
            services:
              - name: backend
                targets: [ "127.0.0.1:9001" ]
            routes:
              - name: api
                paths: [ "/" ]
                service: backend
            alerts:
              notifiers:
                - { name: hook, type: webhook, url: "http://127.0.0.1:9099/" }
              rules:
                - { name: a, kind: errors, route: api, threshold: 0.1 }
                - { name: b, kind: error-rate, route: apii, threshold: 0.1 }
                - { name: c, kind: latency, route: api, threshold: 100ms, window: 1 minute }
                - { name: d, kind: error-rate, route: api, threshold: 2 }
                - { name: e, kind: error-rate, route: api, threshold: 0.1, notifiers: [ pager ] }
            """);

    try (PorticoProcess p = PorticoProcess.start(dir, "validate", "-c", bad.toString())) {
      assertThat(p.awaitExit(START)).isEqualTo(1);
      assertThat(p.stderr())
          .contains(bad + ":12:24: alerts.rules[0].kind: \"errors\" (expected: one of error-rate,")
          .contains(
              bad
                  + ":13:43: alerts.rules[1].route: \"apii\" (expected: a route of the config: api)")
          .contains(bad + ":14:71: alerts.rules[2].window: \"1 minute\" (expected: a duration")
          .contains(bad + ":15:59: alerts.rules[3].threshold: \"2\" (expected: a share from 0 to 1")
          .contains(
              bad
                  + ":16:77: alerts.rules[4].notifiers[0]: \"pager\" (expected: a notifier defined"
                  + " in alerts.notifiers: hook)")
          .contains(bad + ": 5 problems");
    }
  }

  @Test
  void validateReportsNumbersOutOfRangeWithoutAStackTrace() throws Exception {
    Path bad =
        write(
            "numbers.yaml",
            """
            services:
              - name: backend
                targets: [ "127.0.0.1:9001" ]
            limits:
              header-timeout: 99999999999999999999s
              max-body-size: 17179869184g
              max-header-count: 99999999999999999999
            """);

    try (PorticoProcess p = PorticoProcess.start(dir, "validate", "-c", bad.toString())) {
      assertThat(p.awaitExit(START)).isEqualTo(1);
      assertThat(p.stderr())
          .contains(
              bad
                  + ":5:19: limits.header-timeout: \"99999999999999999999s\" (expected: a duration"
                  + " from 1ms to 365d)")
          .contains(
              bad
                  + ":6:18: limits.max-body-size: \"17179869184g\" (expected: a size from 0 to"
                  + " 1024g)")
          .contains(bad + ":7:21: limits.max-header-count: \"99999999999999999999\" (expected: ")
          .contains(bad + ": 3 problems")
          .doesNotContain("Exception")
          .doesNotContain("\tat ");
    }
  }

  @Test
  void validateAcceptsAGoodFileAndExits0() throws Exception {
    Path good = write("good.yaml", runnable("/api", false));

    try (PorticoProcess p = PorticoProcess.start(dir, "validate", "-c", good.toString())) {
      assertThat(p.awaitExit(START)).isEqualTo(0);
      assertThat(p.stdout()).startsWith(good + ": valid (version ").contains("2 routes, 1 service");
    }
  }

  @Test
  void versionPrintsTheVersionJavaAndTransport() throws Exception {
    try (PorticoProcess p = PorticoProcess.start(dir, "version")) {
      assertThat(p.awaitExit(START)).isEqualTo(0);
      assertThat(p.stdout())
          .startsWith("portico " + Version.current() + "\n")
          .contains("java " + System.getProperty("java.version"))
          .containsPattern("transport (epoll|nio)");
    }
    try (PorticoProcess p = PorticoProcess.start(dir, "--version")) {
      assertThat(p.awaitExit(START)).isEqualTo(0);
      assertThat(p.stdout()).startsWith("portico " + Version.current());
    }
  }

  @Test
  void helpListsTheCommands() throws Exception {
    try (PorticoProcess p = PorticoProcess.start(dir, "--help")) {
      assertThat(p.awaitExit(START)).isEqualTo(0);
      assertThat(p.stdout())
          .contains("Usage: portico")
          .containsPattern("\\n +run +Run the gateway")
          .containsPattern("\\n +validate +Check a config file")
          .containsPattern("\\n +version +Print the version");
    }
  }

  @Test
  void withoutAConfigInTheFolderPorticoSaysWhereItLookedAndHowToGiveOne() throws Exception {
    for (String[] args : List.of(new String[0], new String[] {"run"}, new String[] {"validate"})) {
      try (PorticoProcess p = PorticoProcess.start(dir, args)) {
        assertThat(p.awaitExit(START)).as(String.join(" ", args)).isEqualTo(1);
        assertThat(p.stderr())
            .as(String.join(" ", args))
            .contains(
                "portico.yaml: no config file given, and none in "
                    + dir.toRealPath()
                    + " (expected: a config file, as 'portico run -c FILE'")
            .contains("'portico --help' lists the commands)")
            .doesNotContain("invalid configuration");
      }
    }
  }

  @Test
  void runRefusesAnInvalidConfigAndExits1() throws Exception {
    Path config = write("portico.yaml", runnable("api/{id", false));

    try (PorticoProcess p = PorticoProcess.start(dir, "run", "-c", config.toString())) {
      assertThat(p.awaitExit(START)).isEqualTo(1);
      assertThat(p.stderr())
          .contains(config + ":15:14: routes[1].paths[0]: \"api/{id\" (expected: ")
          .contains(config + ": invalid configuration, not started");
      assertThat(p.stdout()).doesNotContain("listening on");
    }
  }

  @Test
  void runExitsWith1AndSaysWhyWhenItsAddressIsTaken() throws Exception {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Path config =
          write(
              "portico.yaml",
              runnable("/api", false)
                  .replace(
                      "  - address: 127.0.0.1:0",
                      "  - address: 127.0.0.1:" + taken.getLocalPort()));

      try (PorticoProcess p = PorticoProcess.start(dir, "run", "-c", config.toString())) {
        assertThat(p.awaitExit(START)).isEqualTo(1);
        assertThat(p.stderr())
            .contains(
                config
                    + ":2:14: listeners[0].address: \"127.0.0.1:"
                    + taken.getLocalPort()
                    + "\" is in use by another process (expected: a free port; stop the other"
                    + " process or choose another port)")
            .contains(config + ": cannot listen on an address it gives, not started")
            .doesNotContain("\tat ");
      }
    }
  }

  @Test
  void runNamesTheAdminAddressAndItsLineWhenTheAdminPortIsTaken() throws Exception {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Path config =
          write(
              "portico.yaml",
              runnable("/api", false)
                  .replace(
                      "admin:\n  address: 127.0.0.1:0",
                      "admin:\n  address: 127.0.0.1:" + taken.getLocalPort()));

      try (PorticoProcess p = PorticoProcess.start(dir, "run", config.toString())) {
        assertThat(p.awaitExit(START)).isEqualTo(1);
        assertThat(p.stderr())
            .contains(
                config
                    + ":4:12: admin.address: \"127.0.0.1:"
                    + taken.getLocalPort()
                    + "\" is in use by another process")
            .contains(config + ": cannot listen on an address it gives, not started")
            .doesNotContain("\tat ");
        assertThat(p.stdout()).doesNotContain("listening on");
      }
    }
  }

  @Test
  void runPrintsTheBannerAndServes() throws Exception {
    Path config = write("portico.yaml", runnable("/api", false));

    String base = run(config);

    int admin = Integer.parseInt(portico.awaitStdout(ADMIN, START).group(1));
    String tryUrl = portico.awaitStdout(TRY, START).group(1);
    assertThat(portico.stdout()).startsWith("portico " + Version.current() + " started in ");
    assertThat(tryUrl).isEqualTo(base + "/hello");
    HttpResponse<String> tried = get(tryUrl);
    assertThat(tried.statusCode()).isEqualTo(200);
    assertThat(tried.body()).isEqualTo("hi");

    HttpResponse<String> proxied = get(base + "/api/hello");
    long toFirstProxied = (System.nanoTime() - portico.startedNanos()) / 1_000_000;
    assertThat(proxied.statusCode()).isEqualTo(200);
    assertThat(proxied.body()).isEqualTo("Hello, World!");
    System.out.printf(
        "portico run: %d ms from process start to the first proxied 200%n", toFirstProxied);

    assertThat(get("http://127.0.0.1:" + admin + "/status").statusCode()).isEqualTo(200);
  }

  @Test
  void runReloadsWhenTheConfigFileIsWrittenOrReplaced() throws Exception {
    Path config = write("portico.yaml", runnable("/api", true));
    String base = run(config);
    assertThat(status(base + "/api/hello")).isEqualTo(200);

    Files.writeString(config, runnable("/v2", true));

    await().atMost(Duration.ofSeconds(10)).until(() -> status(base + "/v2/hello") == 200);
    assertThat(status(base + "/api/hello")).isEqualTo(404);
    await().atMost(Duration.ofSeconds(5)).until(() -> portico.stderr().contains("(file changed)"));

    // Editors and config managers often save by writing a new file and renaming it over the old.
    Path next = write("portico.yaml.tmp", runnable("/v3", true));
    Files.move(next, config, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

    await().atMost(Duration.ofSeconds(10)).until(() -> status(base + "/v3/hello") == 200);
    assertThat(status(base + "/v2/hello")).isEqualTo(404);
  }

  @Test
  void runReloadsOnSighup() throws Exception {
    Path config = write("portico.yaml", runnable("/api", false));
    String base = run(config);
    Files.writeString(config, runnable("/v2", false));
    Thread.sleep(500);
    assertThat(status(base + "/v2/hello")).as("not reloaded before the signal").isEqualTo(404);

    portico.signal("HUP");

    await().atMost(Duration.ofSeconds(10)).until(() -> status(base + "/v2/hello") == 200);
    assertThat(status(base + "/api/hello")).isEqualTo(404);
  }

  @Test
  void sigtermDrainsTheRequestInFlightAndExits0() throws Exception {
    Path config = write("portico.yaml", runnable("/api", false));
    String base = run(config);
    CompletableFuture<HttpResponse<String>> slow =
        client.sendAsync(
            HttpRequest.newBuilder(URI.create(base + "/api/delay/1500"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(5)).until(() -> origin.requestCount() == 1);

    portico.signal("TERM");

    HttpResponse<String> r = slow.get(10, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("late");
    assertThat(portico.awaitExit(Duration.ofSeconds(15))).isEqualTo(0);
    assertThat(portico.stderr()).contains("shutting down");
  }
}
