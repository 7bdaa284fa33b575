package io.portico.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.plugins.auth.key.KeyHash;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerTest;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rotated key keeps working for the grace period, as {@code <id>.previous} with an {@code
 * expires-at}, then key-auth refuses it: the grace period of {@code admin.key-rotation-grace}, or
 * the rotation's own {@code grace_period}. Against a real gateway and origin.
 */
class KeyRotationGraceTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String WRITER = "grace-writer-token";

  @TempDir Path storeDir;
  @RegisterExtension final OriginPerTest env = new OriginPerTest();
  private GatewayFixture gw;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeEach
  void start() throws Exception {
    gw =
        env.start(
            """
            admin:
              address: 127.0.0.1:0
              store: %s
              key-rotation-grace: 2s
              tokens:
                - { name: ci, hash: "%s", role: read-write }
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: keyed
                paths: [ "/keyed" ]
                strip-prefix: true
                service: backend
                plugins:
                  key-auth: {}
            consumers:
              - name: mobile
            """
                .formatted(storeDir, KeyHash.of(WRITER), env.origin().authority()));
  }

  private HttpResponse<String> call(String method, String path, String body) throws Exception {
    return gw.adminAs(WRITER, method, path, body);
  }

  private int withKey(String key) throws Exception {
    return client
        .send(
            HttpRequest.newBuilder(gw.uri("/keyed/hello")).header("apikey", key).build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  private String issue(String id) throws Exception {
    HttpResponse<String> issued = call("POST", "/consumers/mobile/keys", "{\"id\":\"" + id + "\"}");
    assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
    return JSON.readTree(issued.body()).path("key").asText();
  }

  @Test
  void theOldKeyWorksForTheConfiguredGracePeriodThenExpires() throws Exception {
    String old = issue("m1");
    Instant before = Instant.now().minusSeconds(1);

    HttpResponse<String> rotated = call("POST", "/consumers/mobile/keys/m1/rotate", null);
    Instant after = Instant.now();

    assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
    JsonNode answer = JSON.readTree(rotated.body());
    String fresh = answer.path("key").asText();
    assertThat(answer.path("previous").path("id").asText()).isEqualTo("m1.previous");
    Instant until = Instant.parse(answer.path("previous").path("expires_at").asText());
    // Two seconds after the rotation, to the second.
    assertThat(until).isAfter(before).isBefore(after.plusSeconds(3));
    assertThat(withKey(fresh)).isEqualTo(200);
    JsonNode keys = JSON.readTree(call("GET", "/consumers/mobile/keys", null).body()).path("keys");
    assertThat(keys.toString()).contains("\"id\":\"m1\"").contains("\"id\":\"m1.previous\"");

    // Then key-auth refuses it, as any key whose expires-at has passed; the new one still works.
    await().atMost(Duration.ofSeconds(15)).until(() -> withKey(old) == 401);
    assertThat(withKey(fresh)).isEqualTo(200);

    // The next change of the consumer's keys drops the expired previous key.
    issue("m2");
    keys = JSON.readTree(call("GET", "/consumers/mobile/keys", null).body()).path("keys");
    assertThat(keys.toString()).doesNotContain("m1.previous").contains("\"id\":\"m1\"");
  }

  @Test
  void theRotationsOwnGracePeriodOverridesTheConfiguredOne() throws Exception {
    String old = issue("m1");

    HttpResponse<String> rotated =
        call("POST", "/consumers/mobile/keys/m1/rotate", "{\"grace_period\": \"24h\"}");

    assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
    Instant until =
        Instant.parse(JSON.readTree(rotated.body()).path("previous").path("expires_at").asText());
    assertThat(until).isAfter(Instant.now().plus(Duration.ofHours(23)));
    assertThat(withKey(old)).isEqualTo(200);

    // Revoking the previous key ends it early.
    HttpResponse<String> revoked = call("DELETE", "/consumers/mobile/keys/m1.previous", null);
    assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
    assertThat(withKey(old)).isEqualTo(401);
  }

  @Test
  void aZeroGracePeriodEndsTheOldKeyWithTheRotation() throws Exception {
    String old = issue("m1");

    HttpResponse<String> rotated =
        call("POST", "/consumers/mobile/keys/m1/rotate", "{\"grace_period\": \"0s\"}");

    assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
    assertThat(JSON.readTree(rotated.body()).has("previous")).isFalse();
    assertThat(withKey(old)).isEqualTo(401);
  }

  @Test
  void aGracePeriodThatIsNotADurationIsRefusedAndNothingChanges() throws Exception {
    String old = issue("m1");

    HttpResponse<String> bad =
        call("POST", "/consumers/mobile/keys/m1/rotate", "{\"grace_period\": \"soon\"}");

    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(JSON.readTree(bad.body()).path("detail").asText())
        .contains("grace_period: \"soon\" (expected: a duration");
    assertThat(withKey(old)).isEqualTo(200);
  }
}
