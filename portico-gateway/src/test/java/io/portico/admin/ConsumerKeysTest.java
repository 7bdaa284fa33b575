package io.portico.admin;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consumer's keys issued, rotated and revoked through the admin API, against a real gateway whose
 * route checks them with {@code key-auth} in front of a real env.origin().
 */
class ConsumerKeysTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String WRITER = "keys-writer-token";
  private static final String READER = "keys-reader-token";
  private static final String LEGACY_KEY = "a-key-hashed-by-hand-into-the-file";

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
              tokens:
                - { name: ci, hash: "%s", role: read-write }
                - { name: dashboard, hash: "%s", role: read-only }
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
                groups: [ partners ]
              - name: legacy
                credentials:
                  key-auth: { key: "%s", id: from-file }
            """
                .formatted(
                    storeDir,
                    KeyHash.of(WRITER),
                    KeyHash.of(READER),
                    env.origin().authority(),
                    KeyHash.of(LEGACY_KEY)));
  }

  private HttpResponse<String> call(String method, String path, String body, String token)
      throws Exception {
    return gw.adminAs(token, method, path, body);
  }

  private int withKey(String key) throws Exception {
    return client
        .send(
            HttpRequest.newBuilder(gw.uri("/keyed/hello")).header("apikey", key).build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  @Test
  void aKeyIssuedWithAnExpiryWorksUntilThenAndTheListShowsIt() throws Exception {
    HttpResponse<String> lasting =
        call(
            "POST",
            "/consumers/mobile/keys",
            "{\"id\":\"m-later\",\"expires_at\":\"2999-01-01T00:00:00Z\"}",
            WRITER);
    assertThat(lasting.statusCode()).as(lasting.body()).isEqualTo(201);
    assertThat(JSON.readTree(lasting.body()).path("expires_at").asText())
        .isEqualTo("2999-01-01T00:00:00Z");
    HttpResponse<String> past =
        call(
            "POST",
            "/consumers/mobile/keys",
            "{\"id\":\"m-past\",\"expires_at\":\"2020-01-01T00:00:00+02:00\"}",
            WRITER);
    assertThat(past.statusCode()).as(past.body()).isEqualTo(201);

    assertThat(withKey(JSON.readTree(lasting.body()).path("key").asText())).isEqualTo(200);
    assertThat(withKey(JSON.readTree(past.body()).path("key").asText())).isEqualTo(401);
    JsonNode list = JSON.readTree(call("GET", "/consumers/mobile/keys", null, READER).body());
    assertThat(list.path("keys").toString())
        .contains("{\"id\":\"m-later\",\"expires_at\":\"2999-01-01T00:00:00Z\"}")
        .contains("{\"id\":\"m-past\",\"expires_at\":\"2020-01-01T00:00:00+02:00\"}");

    HttpResponse<String> bad =
        call("POST", "/consumers/mobile/keys", "{\"expires_at\":\"2027-01-31\"}", WRITER);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(JSON.readTree(bad.body()).path("detail").asText())
        .contains("expires_at: \"2027-01-31\" (expected: an RFC 3339 date-time");
  }

  @Test
  void issuedKeyWorksAtOnceRotationRetiresTheOldKeyAndRevokedKeyIsRefused() throws Exception {
    HttpResponse<String> issued = call("POST", "/consumers/mobile/keys", "{\"id\":\"m1\"}", WRITER);
    assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
    assertThat(issued.headers().firstValue("Location")).contains("/consumers/mobile/keys/m1");
    JsonNode answer = JSON.readTree(issued.body());
    String key = answer.get("key").asText();
    assertThat(key).startsWith("ck_").hasSize(3 + 43);
    assertThat(answer.get("id").asText()).isEqualTo("m1");
    assertThat(withKey(key)).isEqualTo(200);

    // Only the hash is kept: the consumer and the key list never show the key.
    HttpResponse<String> consumer = call("GET", "/consumers/mobile", null, WRITER);
    assertThat(consumer.body()).contains(KeyHash.of(key)).doesNotContain(key + "\"");
    assertThat(consumer.body()).contains("partners");
    HttpResponse<String> list = call("GET", "/consumers/mobile/keys", null, READER);
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(list.body()).get("keys").get(0).get("id").asText()).isEqualTo("m1");
    assertThat(list.body()).doesNotContain("sha256").doesNotContain(key);

    // A second key without an id gets one made up.
    HttpResponse<String> second = call("POST", "/consumers/mobile/keys", null, WRITER);
    assertThat(second.statusCode()).isEqualTo(201);
    String secondId = JSON.readTree(second.body()).get("id").asText();
    assertThat(secondId).matches("key-[0-9a-f]{8}");
    assertThat(withKey(JSON.readTree(second.body()).get("key").asText())).isEqualTo(200);

    HttpResponse<String> rotated =
        call("POST", "/consumers/mobile/keys/m1/rotate", "{\"grace_period\": \"0s\"}", WRITER);
    assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
    String newKey = JSON.readTree(rotated.body()).get("key").asText();
    assertThat(newKey).isNotEqualTo(key);
    assertThat(JSON.readTree(rotated.body()).has("previous")).isFalse();
    assertThat(withKey(key)).isEqualTo(401);
    assertThat(withKey(newKey)).isEqualTo(200);

    HttpResponse<String> revoked = call("DELETE", "/consumers/mobile/keys/m1", null, WRITER);
    assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
    assertThat(withKey(newKey)).isEqualTo(401);
    assertThat(
            JSON.readTree(call("GET", "/consumers/mobile/keys", null, WRITER).body()).get("keys"))
        .hasSize(1);

    // Each change is a version of its own, in the audit log with who made it.
    String audit = call("GET", "/audit", null, WRITER).body();
    assertThat(audit)
        .contains("POST /consumers/mobile/keys (m1)")
        .contains("POST /consumers/mobile/keys/m1/rotate")
        .contains("DELETE /consumers/mobile/keys/m1")
        .contains("\"actor\":\"ci\"")
        .doesNotContain(key)
        .doesNotContain(newKey);
  }

  @Test
  void keyIssuedToAConsumerOfTheFileJoinsItsKeyFromTheFile() throws Exception {
    assertThat(withKey(LEGACY_KEY)).isEqualTo(200);
    HttpResponse<String> issued = call("POST", "/consumers/legacy/keys", "{}", WRITER);
    assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
    assertThat(withKey(JSON.readTree(issued.body()).get("key").asText())).isEqualTo(200);
    assertThat(withKey(LEGACY_KEY)).isEqualTo(200);
    JsonNode keys = JSON.readTree(call("GET", "/consumers/legacy/keys", null, WRITER).body());
    assertThat(keys.get("keys")).hasSize(2);
    assertThat(keys.get("keys").get(0).get("id").asText()).isEqualTo("from-file");
    // The file's key is revoked by its id like any other.
    assertThat(call("DELETE", "/consumers/legacy/keys/from-file", null, WRITER).statusCode())
        .isEqualTo(200);
    assertThat(withKey(LEGACY_KEY)).isEqualTo(401);
  }

  @Test
  void badRequestsAnswerProblemsAndChangeNothing() throws Exception {
    String before =
        call("GET", "/consumers/mobile", null, WRITER).headers().firstValue("ETag").get();
    assertProblem(call("POST", "/consumers/mobile/keys", "[1]", WRITER), 400);
    assertProblem(call("POST", "/consumers/mobile/keys", "{\"id\":", WRITER), 400);
    assertProblem(call("POST", "/consumers/mobile/keys", "{\"id\":\"no spaces\"}", WRITER), 400);
    assertProblem(call("POST", "/consumers/mobile/keys", "{\"id\":7}", WRITER), 400);
    assertProblem(call("POST", "/consumers/nobody/keys", null, WRITER), 404);
    assertProblem(call("GET", "/consumers/nobody/keys", null, WRITER), 404);
    assertProblem(call("POST", "/consumers/mobile/keys/none/rotate", null, WRITER), 404);
    assertProblem(call("DELETE", "/consumers/mobile/keys/none", null, WRITER), 404);
    assertProblem(call("PUT", "/consumers/mobile/keys", "{}", WRITER), 405);
    assertProblem(call("GET", "/consumers/mobile/keys/x/rotate", null, WRITER), 405);
    assertProblem(call("POST", "/consumers/mobile/keys/x/y", null, WRITER), 404);
    // A read-only caller reads the ids but changes nothing.
    assertProblem(call("POST", "/consumers/mobile/keys", null, READER), 403);
    assertThat(call("GET", "/consumers/mobile", null, WRITER).headers().firstValue("ETag"))
        .contains(before);
    assertThat(call("POST", "/consumers/mobile/keys", "{\"id\":\"a\"}", WRITER).statusCode())
        .isEqualTo(201);
    assertProblem(call("POST", "/consumers/mobile/keys", "{\"id\":\"a\"}", WRITER), 409);
  }

  private static void assertProblem(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(JSON.readTree(r.body()).get("status").asInt()).isEqualTo(status);
  }
}
