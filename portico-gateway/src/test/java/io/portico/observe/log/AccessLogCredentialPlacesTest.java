package io.portico.observe.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.plugins.auth.key.KeyHash;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerTest;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A credential read from a header or query parameter that a plugin's config names (key-auth's
 * {@code header-names} and {@code query-names}, jwt's {@code header} and {@code query}, the same
 * inside multi-auth) never reaches the access log, though the log's own {@code redact} lists do not
 * name it; nor does a key in the query of a {@code Referer}, or in the query or fragment of a
 * {@code Location}.
 */
class AccessLogCredentialPlacesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension final OriginPerTest env = new OriginPerTest();
  private GatewayFixture gw;

  @BeforeEach
  void start() throws Exception {
    gw =
        env.start(
            """
            services:
              - name: backend
                targets: [ "%s" ]
            consumers:
              - name: alice
                credentials:
                  key-auth: { key: "%s" }
            routes:
              - name: keyed
                paths: [ /keyed ]
                strip-prefix: true
                service: backend
                plugins:
                  key-auth: { header-names: [ X-Gateway-Key ], query-names: [ k ] }
              - name: tokens
                paths: [ /tokens ]
                strip-prefix: true
                service: backend
                plugins:
                  multi-auth:
                    methods:
                      jwt:
                        algorithms: [ HS256 ]
                        issuers: [ { issuer: "https://issuer.test", secret: "%s" } ]
                        header: X-Jwt
                        query: jwt
              - name: redirect
                paths: [ /redirect ]
                strip-prefix: true
                service: backend
                plugins:
                  response-headers:
                    set:
                      Location: "https://app.example/cb?token=query-secret&state=s#access_token=fragment-secret&token_type=bearer"
            runtime:
              io-threads: 1
              watch-config: false
              shutdown-timeout: 1s
              access-log:
                fields: { include: [ route, status, query, request_headers, response_headers ] }
                sinks:
                  - type: file
                    name: main
                    path: access.log
            """
                .formatted(
                    env.origin().authority(),
                    KeyHash.of("alice-secret-key"),
                    "0123456789abcdef0123456789abcdef"));
  }

  private List<JsonNode> lines(int expected) throws Exception {
    Path file = gw.configFile().resolveSibling("access.log");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> Files.exists(file) && Files.readAllLines(file).size() >= expected);
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      out.add(JSON.readTree(line));
    }
    return out;
  }

  @Test
  void redactsTheKeyInTheHeaderAndQueryKeyAuthIsConfiguredWith() throws Exception {
    assertThat(gw.get("/keyed/hello?lang=en&k=alice-secret-key").statusCode()).isEqualTo(200);
    assertThat(
            gw.send(
                    HttpRequest.newBuilder(gw.uri("/keyed/hello"))
                        .header("X-Gateway-Key", "alice-secret-key"))
                .statusCode())
        .isEqualTo(200);

    List<JsonNode> lines = lines(2);
    assertThat(lines.toString()).doesNotContain("alice-secret-key");
    assertThat(lines.get(0).get("query").asText()).isEqualTo("lang=en&k=[REDACTED]");
    assertThat(lines.get(1).get("request_headers").get("x-gateway-key").asText())
        .isEqualTo("[REDACTED]");
  }

  @Test
  void redactsTheTokenPlacesOfAMethodInsideMultiAuth() throws Exception {
    gw.get("/tokens/a?jwt=header.payload-secret.signature");
    gw.send(HttpRequest.newBuilder(gw.uri("/tokens/b")).header("X-Jwt", "header.other-secret.sig"));

    List<JsonNode> lines = lines(2);
    assertThat(lines.toString()).doesNotContain("secret");
    assertThat(lines.get(0).get("query").asText()).isEqualTo("jwt=[REDACTED]");
    assertThat(lines.get(1).get("request_headers").get("x-jwt").asText()).isEqualTo("[REDACTED]");
  }

  @Test
  void redactsAKeyAfterASemicolonAsAnUpstreamThatSplitsThereWouldReadIt() throws Exception {
    gw.get("/keyed/hello?lang=en;apikey=semicolon-secret;k=other-secret&x=1");

    JsonNode line = lines(1).get(0);
    assertThat(line.toString()).doesNotContain("secret");
    assertThat(line.get("query").asText()).isEqualTo("lang=en;apikey=[REDACTED];k=[REDACTED]&x=1");
  }

  @Test
  void redactsCredentialsInTheQueryAndFragmentOfALocation() throws Exception {
    gw.get("/redirect/hello");

    JsonNode line = lines(1).get(0);
    assertThat(line.toString()).doesNotContain("secret");
    assertThat(line.get("response_headers").get("location").asText())
        .isEqualTo(
            "https://app.example/cb?token=[REDACTED]&state=s"
                + "#access_token=[REDACTED]&token_type=bearer");
  }

  @Test
  void redactsCredentialsInTheQueryOfAReferer() throws Exception {
    gw.send(
        HttpRequest.newBuilder(gw.uri("/keyed/c?k=alice-secret-key"))
            .header("Referer", "https://app.example/page?k=alice-secret-key&apikey=other#top"));

    JsonNode line = lines(1).get(0);
    assertThat(line.toString()).doesNotContain("alice-secret-key").doesNotContain("other");
    assertThat(line.get("request_headers").get("referer").asText())
        .isEqualTo("https://app.example/page?k=[REDACTED]&apikey=[REDACTED]#top");
  }
}
