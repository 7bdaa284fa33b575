package io.portico.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.app.Gateway;
import io.portico.app.Version;
import io.portico.observe.ExchangeObserver;
import io.portico.testing.GatewayFixture;
import io.portico.testing.RawClient;
import io.portico.testing.TestOrigin;
import java.lang.management.ManagementFactory;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The admin listener over real sockets: its endpoints, its problems and its token check. */
class AdminApiTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A loopback admin listener without a token. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class Open {

    private TestOrigin origin;
    private GatewayFixture gw;

    @BeforeAll
    void start() throws Exception {
      origin = TestOrigin.start();
      gw =
          GatewayFixture.start(
              """
              admin:
                address: 127.0.0.1:0
              services:
                - name: backend
                  targets: [ "%s" ]
                  plugins:
                    cors: {}
              routes:
                - name: api
                  paths: [ "/api" ]
                  methods: [ GET, POST ]
                  service: backend
                  plugins:
                    response-headers: { set: { X-Served-By: portico } }
                    request-id: {}
                    request-headers:
                      set:
                        Authorization: "Bearer upstream-credential-1"
                        X-Tenant: acme
                - name: ping
                  paths: [ "/ping" ]
                  path-match: exact
                  plugins:
                    mock:
                      body: pong
                      headers: { X-Api-Token: mock-token-2 }
                - name: stub
                  paths: [ "/stub" ]
                  plugins:
                    mock:
                      json: { user: alice, password: pw-4, nested: { client_secret: cs-5 } }
              plugins:
                ip-restriction: { allow: [ 127.0.0.0/8 ] }
              consumers:
                - name: mobile-app
                  custom-id: app-7
                  credentials:
                    key-auth: { key: "sha256:279dfca74877e08e8671ca59801aa4e57b8327378df971906a71deb61e4b2880" }
              forwarding:
                trusted-proxies: [ 10.0.0.0/8 ]
              """
                  .formatted(origin.authority()));
    }

    @AfterAll
    void stop() throws Exception {
      gw.close();
      origin.close();
    }

    @Test
    void statusAnswersOkWithTheBuildAndConfigVersions() throws Exception {
      long processUp = ManagementFactory.getRuntimeMXBean().getUptime() / 1000;
      HttpResponse<String> r = gw.admin("/status");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
      JsonNode body = JSON.readTree(r.body());
      assertThat(body.get("status").asText()).isEqualTo("ok");
      assertThat(body.get("version").asText()).isEqualTo(Version.current());
      assertThat(body.get("config_version").asText()).isEqualTo(gw.gateway().version());
      // The process's uptime, not the time since the admin listener first answered.
      assertThat(body.get("uptime_seconds").asLong()).isGreaterThanOrEqualTo(processUp);
    }

    @Test
    void readyAnswers200WhileTheGatewayTakesTraffic() throws Exception {
      HttpResponse<String> r = gw.admin("/ready");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(r.body()).get("ready").asBoolean()).isTrue();
    }

    @Test
    void configShowsTheActiveConfigAndItsVersion() throws Exception {
      HttpResponse<String> r = gw.admin("/config");
      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode body = JSON.readTree(r.body());
      assertThat(body.get("version").asText()).isEqualTo(gw.gateway().version());
      assertThat(body.get("loaded_at").asText()).isNotEmpty();
      JsonNode config = body.get("config");
      assertThat(config.at("/routes/0/name").asText()).isEqualTo("api");
      assertThat(config.at("/services/0/targets/0").asText()).isEqualTo(origin.authority());
      assertThat(config.at("/routes/0/plugins/request-headers/set/X-Tenant").asText())
          .isEqualTo("acme");
      assertThat(config.at("/consumers/0/custom-id").asText()).isEqualTo("app-7");
      assertThat(config.at("/forwarding/trusted-proxies/0").asText()).isEqualTo("10.0.0.0/8");
    }

    @Test
    void configRedactsCredentialsAndValuesUnderSecretLookingKeys() throws Exception {
      String body = gw.admin("/config").body();
      JsonNode config = JSON.readTree(body).get("config");
      assertThat(body)
          .doesNotContain("279dfca74877e08e8671ca59801aa4e57b8327378df971906a71deb61e4b2880")
          .doesNotContain("mock-token-2")
          .doesNotContain("upstream-credential-1")
          .doesNotContain("pw-4")
          .doesNotContain("cs-5");
      assertThat(config.at("/consumers/0/credentials/key-auth/key").asText())
          .isEqualTo("<redacted>");
      assertThat(config.at("/routes/1/plugins/mock/headers/X-Api-Token").asText())
          .isEqualTo("<redacted>");
      assertThat(config.at("/routes/0/plugins/request-headers/set/Authorization").asText())
          .isEqualTo("<redacted>");
      JsonNode stub = config.at("/routes/2/plugins/mock/json");
      assertThat(stub.get("user").asText()).isEqualTo("alice");
      assertThat(stub.get("password").asText()).isEqualTo("<redacted>");
      assertThat(stub.at("/nested/client_secret").asText()).isEqualTo("<redacted>");
    }

    @Test
    void routesListsEachRouteWithItsPluginsInRunOrder() throws Exception {
      HttpResponse<String> r = gw.admin("/routes");
      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode body = JSON.readTree(r.body());
      assertThat(body.get("version").asText()).isEqualTo(gw.gateway().version());
      JsonNode api = body.at("/routes/0");
      assertThat(api.get("name").asText()).isEqualTo("api");
      assertThat(api.get("service").asText()).isEqualTo("backend");
      assertThat(texts(api.get("paths"))).containsExactly("/api");
      assertThat(texts(api.get("methods"))).containsExactly("GET", "POST");
      assertThat(api.get("path_match").asText()).isEqualTo("prefix");
      // Descending priority, whatever the level each plugin was configured at.
      assertThat(texts(api.get("plugins")))
          .containsExactly(
              "request-id", "ip-restriction", "cors", "request-headers", "response-headers");
      JsonNode ping = body.at("/routes/1");
      assertThat(ping.get("name").asText()).isEqualTo("ping");
      assertThat(ping.has("service")).isFalse();
      assertThat(texts(ping.get("plugins"))).containsExactly("ip-restriction", "mock");
    }

    @Test
    void answersAnUnknownEndpointWith404Problem() throws Exception {
      HttpResponse<String> r = gw.admin("/nothing");
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
      JsonNode body = JSON.readTree(r.body());
      assertThat(body.get("type").asText())
          .isEqualTo("https://portico.dev/problems/admin-not-found");
      assertThat(body.get("status").asInt()).isEqualTo(404);
      assertThat(body.get("detail").asText())
          .isEqualTo(
              "No admin endpoint /nothing. This is the admin listener; routes are served on the"
                  + " listeners: 127.0.0.1:"
                  + gw.port()
                  + ".");
    }

    @Test
    void answersAnUnknownEndpointWithValidJsonWhateverItsPath() throws Exception {
      HttpResponse<String> r = gw.admin("/a%22b%5Cc%0Ad%09e");
      assertThat(r.statusCode()).isEqualTo(404);
      JsonNode body = JSON.readTree(r.body());
      assertThat(body.get("detail").asText()).startsWith("No admin endpoint /a\"b\\c\nd\te. ");
    }

    @Test
    void answersAWrongMethodWith405ProblemNamingTheAllowedOne() throws Exception {
      HttpResponse<String> post = gw.adminPost("/status");
      assertThat(post.statusCode()).isEqualTo(405);
      assertThat(post.headers().firstValue("allow")).hasValue("GET");
      assertThat(post.headers().firstValue("content-type")).hasValue("application/problem+json");
      assertThat(JSON.readTree(post.body()).get("status").asInt()).isEqualTo(405);

      HttpResponse<String> get = gw.admin("/reload");
      assertThat(get.statusCode()).isEqualTo(405);
      assertThat(get.headers().firstValue("allow")).hasValue("POST");
    }

    @Test
    void servesTheProxyListenerAlongsideTheAdminListener() throws Exception {
      HttpResponse<String> r = gw.get("/ping");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("pong");
      assertThat(gw.gateway().adminAddress().getPort()).isNotEqualTo(gw.port());
    }
  }

  /** An admin listener that requires a bearer token. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class WithToken {

    private static final String TOKEN = "s3cret-admin-token";
    private GatewayFixture gw;

    @BeforeAll
    void start() throws Exception {
      gw =
          GatewayFixture.start(
              """
              admin:
                address: 127.0.0.1:0
                token: ${ADMIN_TOKEN}
              routes:
                - name: ping
                  paths: [ "/ping" ]
                  plugins:
                    mock: { body: pong }
              """,
              Map.of("ADMIN_TOKEN", TOKEN));
    }

    @AfterAll
    void stop() throws Exception {
      gw.close();
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
      HttpRequest.Builder b = HttpRequest.newBuilder(gw.adminUri(path));
      if (authorization != null) {
        b.header("Authorization", authorization);
      }
      return gw.send(b);
    }

    @Test
    void refusesARequestWithoutTokenWith401() throws Exception {
      HttpResponse<String> r = get("/status", null);
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.headers().firstValue("www-authenticate"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
      assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
      assertThat(r.body()).contains("admin-unauthorized").doesNotContain(TOKEN);
    }

    @Test
    void refusesAWrongTokenWith401() throws Exception {
      assertThat(get("/status", "Bearer " + TOKEN + "x").statusCode()).isEqualTo(401);
      assertThat(get("/status", "Bearer " + TOKEN.substring(1)).statusCode()).isEqualTo(401);
      assertThat(get("/status", "Basic " + TOKEN).statusCode()).isEqualTo(401);
      assertThat(get("/nothing", "Bearer wrong").statusCode()).isEqualTo(401);
    }

    @Test
    void acceptsTheRightToken() throws Exception {
      assertThat(get("/status", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
      assertThat(get("/routes", "bearer " + TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void neverShowsTheTokenInTheConfig() throws Exception {
      HttpResponse<String> r = get("/config", "Bearer " + TOKEN);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).doesNotContain(TOKEN);
      assertThat(JSON.readTree(r.body()).at("/config/admin/token").asText())
          .isEqualTo("<redacted>");
    }

    @Test
    void leavesTheProxyListenerOpen() throws Exception {
      assertThat(gw.get("/ping").statusCode()).isEqualTo(200);
    }
  }

  /** The Host check against DNS rebinding, spoken over a raw socket so any Host can be sent. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class HostCheck {

    private GatewayFixture gw;

    @BeforeAll
    void start() throws Exception {
      gw =
          GatewayFixture.start(
              """
              admin:
                address: 127.0.0.1:0
                allowed-hosts: [ Admin.Internal, 10.1.2.3 ]
              routes:
                - name: ping
                  paths: [ "/ping" ]
                  plugins:
                    mock: { body: pong }
              """);
    }

    @AfterAll
    void stop() throws Exception {
      gw.close();
    }

    /** The status line of {@code GET /status} with the given header lines. */
    private String statusWith(String target, String... headerLines) throws Exception {
      StringBuilder request = new StringBuilder("GET " + target + " HTTP/1.1\r\n");
      for (String line : headerLines) {
        request.append(line).append("\r\n");
      }
      request.append("Connection: close\r\n\r\n");
      try (RawClient raw = new RawClient(gw.gateway().adminAddress())) {
        String response = raw.send(request.toString()).readUntil("\r\n\r\n", 3000);
        return response.substring(0, response.indexOf("\r\n"));
      }
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "localhost",
          "LOCALHOST",
          "localhost:9901",
          "127.0.0.1",
          "127.0.0.1:1",
          "127.8.9.10",
          "[::1]",
          "[::1]:9901",
          "[0:0:0:0:0:0:0:1]",
          "admin.internal",
          "admin.INTERNAL:443",
          "10.1.2.3:9901"
        })
    void answersTheLoopbackNamesAndTheConfiguredOnes(String host) throws Exception {
      assertThat(statusWith("/status", "Host: " + host)).isEqualTo("HTTP/1.1 200 OK");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "attacker.example",
          "attacker.example:9901",
          "localhost.attacker.example",
          "127.0.0.1.nip.io",
          "localhost.",
          "admin.internal.attacker.example",
          "10.1.2.4",
          "::1",
          "[::1",
          "localhost:http",
          "localhost:",
          ""
        })
    void refusesEveryOtherHostWith421(String host) throws Exception {
      assertThat(statusWith("/status", "Host: " + host)).startsWith("HTTP/1.1 421");
    }

    @Test
    void refusesARequestWithoutHostOrWithTwo() throws Exception {
      assertThat(statusWith("/status")).startsWith("HTTP/1.1 421");
      assertThat(statusWith("/status", "Host: localhost", "Host: attacker.example"))
          .startsWith("HTTP/1.1 421");
    }

    @Test
    void refusesAnAbsoluteFormTargetWith400() throws Exception {
      assertThat(statusWith("http://attacker.example/status", "Host: localhost"))
          .startsWith("HTTP/1.1 400");
    }

    @Test
    void explainsTheRefusalInAProblem() throws Exception {
      try (RawClient raw = new RawClient(gw.gateway().adminAddress())) {
        String response =
            raw.send("GET /config HTTP/1.1\r\nHost: attacker.example\r\n\r\n").readUntil("}", 3000);
        assertThat(response)
            .startsWith("HTTP/1.1 421 Misdirected Request")
            .contains("application/problem+json")
            .contains("admin-host-not-allowed")
            .doesNotContain("\"routes\"");
      }
    }

    @Test
    void leavesTheProxyListenerToItsRoutes() throws Exception {
      try (RawClient raw = gw.raw()) {
        String response =
            raw.send("GET /ping HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n")
                .readUntil("pong", 3000);
        assertThat(response).startsWith("HTTP/1.1 200");
      }
    }
  }

  @Test
  void refusesARebindingHostBeforeAskingForTheToken() throws Exception {
    try (GatewayFixture gw =
            GatewayFixture.start(
                """
            admin:
              address: 127.0.0.1:0
              token: t0ken
            routes:
              - name: ping
                paths: [ "/ping" ]
                plugins:
                  mock: { body: pong }
            """);
        RawClient raw = new RawClient(gw.gateway().adminAddress())) {
      String response =
          raw.send(
                  "GET /status HTTP/1.1\r\nHost: attacker.example\r\n"
                      + "Authorization: Bearer t0ken\r\n\r\n")
              .readUntil("\r\n\r\n", 3000);
      assertThat(response).startsWith("HTTP/1.1 421");
    }
  }

  @Test
  void refusesToStartWithANonLoopbackAdminAddressAndNoToken(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("portico.yaml");
    Files.writeString(
        file,
        """
        listeners:
          - address: 127.0.0.1:0
        admin:
          address: 0.0.0.0:0
        routes:
          - name: ping
            paths: [ "/ping" ]
            plugins:
              mock: { body: pong }
        """);

    Gateway.InvalidConfigException e =
        catchThrowableOfType(
            Gateway.InvalidConfigException.class,
            () -> Gateway.start(file, Map.of(), ExchangeObserver.NONE));

    assertThat(e).isNotNull();
    assertThat(e.problems().list())
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.toString())
                    .startsWith(file + ":4:12: admin.address: ")
                    .contains("0.0.0.0:0")
                    .contains("(expected: a loopback address such as 127.0.0.1:9901, or a token"));
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
