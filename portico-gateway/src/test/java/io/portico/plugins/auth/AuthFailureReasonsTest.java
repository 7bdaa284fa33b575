package io.portico.plugins.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.DateFormatter;
import io.portico.plugins.auth.key.KeyHash;
import io.portico.testing.AccessLogFile;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerClass;
import io.portico.testing.RawClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Date;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * Why key-auth, basic-auth, hmac-auth and acl refused a request, as a running gateway writes it to
 * the access log's {@code failure} field: each refusal has its own code, while the client gets the
 * same uniform 401 (or, with {@code uniform-failures: false}, the class of failure in words and
 * never the credential).
 */
class AuthFailureReasonsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HMAC_SECRET = "alice-hmac-secret-0123456789";

  @RegisterExtension static final OriginPerClass env = new OriginPerClass();
  private static GatewayFixture gw;
  private static AccessLogFile log;

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
                groups: [ staff ]
                credentials:
                  key-auth: { key: "%s" }
                  basic-auth: { username: alice, password: "%s" }
                  hmac-auth: { username: alice, secret: "%s" }
            routes:
              - name: key
                paths: [ /key ]
                service: backend
                strip-prefix: true
                plugins:
                  key-auth: { header-names: [ X-API-Key ] }
              - name: key-anywhere
                paths: [ /anywhere ]
                service: backend
                strip-prefix: true
                plugins:
                  key-auth: { header-names: [ X-API-Key, Authorization ], query-names: [ api_key ] }
              - name: key-detailed
                paths: [ /detailed ]
                service: backend
                strip-prefix: true
                plugins:
                  key-auth: { header-names: [ X-API-Key ], uniform-failures: false }
              - name: basic
                paths: [ /basic ]
                service: backend
                strip-prefix: true
                plugins:
                  basic-auth: {}
              - name: hmac
                paths: [ /hmac ]
                service: backend
                strip-prefix: true
                plugins:
                  hmac-auth: { clock-skew: 60s }
              - name: admins
                paths: [ /admin ]
                service: backend
                strip-prefix: true
                plugins:
                  key-auth: { header-names: [ X-API-Key ] }
                  acl: { allow-groups: [ admins ] }
              - name: acl-only
                paths: [ /acl-only ]
                service: backend
                strip-prefix: true
                plugins:
                  acl: { allow-groups: [ admins ] }
            %s
            """
                .formatted(
                    env.origin().authority(),
                    KeyHash.of("alice-key"),
                    BCrypt.hashpw("alice-password", BCrypt.gensalt(4)),
                    HMAC_SECRET,
                    AccessLogFile.RUNTIME));
    log = new AccessLogFile(gw);
  }

  private static HttpResponse<String> get(String path, String header, String value)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path));
    if (header != null) {
      b.header(header, value);
    }
    return gw.send(b);
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void keyAuthLogsAMissingAndAnUnknownKeyAndTellsTheClientNeither() throws Exception {
    HttpResponse<String> missing = get("/key/missing", null, null);
    HttpResponse<String> unknown = get("/key/unknown", "X-API-Key", "not-a-key");

    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(unknown.statusCode()).isEqualTo(401);
    assertThat(log.failureOf("/key/missing")).isEqualTo("key_missing");
    assertThat(log.failureOf("/key/unknown")).isEqualTo("key_unknown");
    JsonNode body = JSON.readTree(unknown.body());
    assertThat(body.get("detail").asText())
        .isEqualTo("A valid API key is required in the x-api-key header.")
        .isEqualTo(JSON.readTree(missing.body()).get("detail").asText());
    assertThat(unknown.body()).doesNotContain("not-a-key").doesNotContain("key_unknown");
  }

  @Test
  void theUniform401NamesEveryPlaceTheRouteReadsTheKeyFromAndNeverTheKey() throws Exception {
    HttpResponse<String> missing = get("/anywhere/missing", null, null);
    HttpResponse<String> unknown = get("/anywhere/unknown?api_key=not-a-key", null, null);

    String detail =
        "A valid API key is required in the x-api-key header, the Authorization header"
            + " (Bearer <key>) or the api_key query parameter.";
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(unknown.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(missing.body()).get("detail").asText()).isEqualTo(detail);
    assertThat(JSON.readTree(unknown.body()).get("detail").asText()).isEqualTo(detail);
    assertThat(unknown.body()).doesNotContain("not-a-key");
  }

  @Test
  void withoutUniformFailuresTheClientIsToldTheClassOfFailureButNeverTheKey() throws Exception {
    HttpResponse<String> unknown = get("/detailed/unknown", "X-API-Key", "not-a-key");

    assertThat(unknown.statusCode()).isEqualTo(401);
    JsonNode body = JSON.readTree(unknown.body());
    assertThat(body.get("type").asText()).endsWith("invalid-credentials");
    assertThat(body.get("detail").asText()).isEqualTo("The API key is not known.");
    assertThat(unknown.body()).doesNotContain("not-a-key");
    assertThat(log.failureOf("/detailed/unknown")).isEqualTo("key_unknown");
  }

  @Test
  void aSuccessHasNoFailure() throws Exception {
    assertThat(get("/key/hello", "X-API-Key", "alice-key").statusCode()).isEqualTo(200);
    assertThat(log.lineOf("/key/hello").get("status").asInt()).isEqualTo(200);
    assertThat(log.failureOf("/key/hello")).isNull();
  }

  @Test
  void basicAuthLogsAnUnknownUserAWrongPasswordAndGarbage() throws Exception {
    assertThat(get("/basic/user", "Authorization", basic("mallory", "x")).statusCode())
        .isEqualTo(401);
    assertThat(get("/basic/password", "Authorization", basic("alice", "wrong")).statusCode())
        .isEqualTo(401);
    assertThat(get("/basic/garbage", "Authorization", "Basic !!!").statusCode()).isEqualTo(401);
    assertThat(get("/basic/missing", null, null).statusCode()).isEqualTo(401);

    assertThat(log.failureOf("/basic/user")).isEqualTo("basic_user_unknown");
    assertThat(log.failureOf("/basic/password")).isEqualTo("basic_password_invalid");
    assertThat(log.failureOf("/basic/garbage")).isEqualTo("basic_malformed");
    assertThat(log.failureOf("/basic/missing")).isEqualTo("basic_missing");
  }

  private static String hmacSign(String signingString) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(HMAC_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return Base64.getEncoder()
        .encodeToString(mac.doFinal(signingString.getBytes(StandardCharsets.UTF_8)));
  }

  /** A raw GET of {@code target} signed over its date by {@code user}; returns the status. */
  private static int hmacGet(String target, String user, Date date, String signature)
      throws Exception {
    String when = DateFormatter.format(date);
    String sig = signature != null ? signature : hmacSign("date: " + when);
    String request =
        "GET "
            + target
            + " HTTP/1.1\r\nHost: test\r\nDate: "
            + when
            + "\r\nAuthorization: hmac username=\""
            + user
            + "\", algorithm=\"hmac-sha256\", headers=\"date\", signature=\""
            + sig
            + "\"\r\n\r\n";
    try (RawClient raw = gw.raw()) {
      String response = raw.send(request).readUntil("\r\n\r\n", 5000);
      return Integer.parseInt(response.substring(9, 12));
    }
  }

  @Test
  void hmacAuthLogsAWrongSignatureAnUnknownUserAndAnOldDate() throws Exception {
    Date now = new Date();
    assertThat(hmacGet("/hmac/hello", "alice", now, null)).isEqualTo(200);
    assertThat(hmacGet("/hmac/signature", "alice", now, hmacSign("date: other"))).isEqualTo(401);
    assertThat(hmacGet("/hmac/user", "mallory", now, null)).isEqualTo(401);
    assertThat(hmacGet("/hmac/old", "alice", new Date(now.getTime() - 600_000), null))
        .isEqualTo(401);

    assertThat(log.failureOf("/hmac/hello")).isNull();
    assertThat(log.failureOf("/hmac/signature")).isEqualTo("hmac_signature_invalid");
    assertThat(log.failureOf("/hmac/user")).isEqualTo("hmac_user_unknown");
    assertThat(log.failureOf("/hmac/old")).isEqualTo("hmac_date_skew");
  }

  @Test
  void aclLogsADeniedConsumerAndARouteWithoutAuthentication() throws Exception {
    HttpResponse<String> denied = get("/admin/denied", "X-API-Key", "alice-key");
    HttpResponse<String> anonymous = get("/acl-only/anonymous", null, null);

    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(log.failureOf("/admin/denied")).isEqualTo("acl_denied");
    assertThat(log.failureOf("/acl-only/anonymous")).isEqualTo("identity_missing");
    assertThat(denied.body()).doesNotContain("acl_denied");
  }
}
