package io.portico.plugins.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.config.ConfigFiles;
import io.portico.config.ConfigResult;
import io.portico.plugin.PluginRegistry;
import io.portico.plugins.auth.key.KeyHash;
import io.portico.spi.config.Problem;
import io.portico.testing.AccessLogFile;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerClass;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code key-auth} keys with an {@code expires-at}: accepted until then, refused after it with the
 * reason {@code key_expired} (the uniform 401 with {@code uniform-failures}, its own detail
 * without), in a real gateway in front of a real origin; a value that is not an RFC 3339 date-time
 * is a config problem at its line.
 */
class KeyAuthExpiryTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  @RegisterExtension static final OriginPerClass env = new OriginPerClass();
  private static GatewayFixture gw;
  private static AccessLogFile log;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    gw =
        env.start(
            """
            services:
              - name: backend
                targets: [ "%s" ]
            consumers:
              - name: alice
                credentials:
                  key-auth:
                    - { key: "%s", id: old, expires-at: "2020-01-01T00:00:00Z" }
                    - { key: "%s", id: current, expires-at: "2999-12-31T23:59:59+01:00" }
                    - { key: "%s", id: forever }
            routes:
              - name: key
                paths: [ /key ]
                service: backend
                strip-prefix: true
                plugins:
                  key-auth: {}
              - name: key-detailed
                paths: [ /detailed ]
                service: backend
                strip-prefix: true
                plugins:
                  key-auth: { uniform-failures: false }
            %s
            """
                .formatted(
                    env.origin().authority(),
                    KeyHash.of("old-key"),
                    KeyHash.of("current-key"),
                    KeyHash.of("forever-key"),
                    AccessLogFile.RUNTIME));
    log = new AccessLogFile(gw);
  }

  private static HttpResponse<String> get(String path, String key) throws Exception {
    return gw.send(HttpRequest.newBuilder(gw.uri(path)).header("apikey", key));
  }

  @Test
  void anExpiredKeyIsRefusedWithTheUniform401AndTheReasonKeyExpired() throws Exception {
    HttpResponse<String> expired = get("/key/old", "old-key");

    assertThat(expired.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(expired.body()).get("detail").asText())
        .isEqualTo("A valid API key is required in the apikey header.");
    assertThat(expired.body()).doesNotContain("expired");
    assertThat(log.failureOf("/key/old")).isEqualTo("key_expired");
  }

  @Test
  void withoutUniformFailuresTheClientIsToldTheKeyExpired() throws Exception {
    HttpResponse<String> expired = get("/detailed/old", "old-key");

    assertThat(expired.statusCode()).isEqualTo(401);
    JsonNode body = JSON.readTree(expired.body());
    assertThat(body.get("detail").asText()).isEqualTo("The API key has expired.");
    assertThat(log.failureOf("/detailed/old")).isEqualTo("key_expired");
  }

  @Test
  void aKeyBeforeItsExpiryAndAKeyWithoutOneAreAccepted() throws Exception {
    assertThat(get("/key/hello", "current-key").statusCode()).isEqualTo(200);
    assertThat(get("/detailed/hello", "forever-key").statusCode()).isEqualTo(200);
    assertThat(log.failureOf("/key/hello")).isNull();
  }

  @Test
  void anExpiryThatIsNotAnRfc3339DateTimeIsReportedAtItsLine() throws Exception {
    ConfigResult result =
        ConfigFiles.parse(
            """
        consumers:
          - name: bob
            credentials:
              key-auth:
                - key: "%s"
                  expires-at: 2027-01-31
        """
                .formatted(KeyHash.of("bob-key")),
            "portico.yaml",
            dir,
            Map.of(),
            PluginRegistry.load(getClass().getClassLoader()));
    assertThat(result.problems().list())
        .extracting(Problem::toString)
        .singleElement()
        .asString()
        .contains("portico.yaml:6:")
        .contains("consumers[0].credentials.key-auth[0].expires-at: \"2027-01-31\"")
        .contains(
            "(expected: an RFC 3339 date-time with its offset, such as 2027-01-31T00:00:00Z)");
  }
}
