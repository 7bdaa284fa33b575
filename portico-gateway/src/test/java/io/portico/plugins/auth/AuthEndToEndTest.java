package io.portico.plugins.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpRequest;
import io.portico.plugins.auth.key.KeyHash;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerClass;
import io.portico.testing.RawClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * key-auth, basic-auth and acl in a running gateway over real sockets: where credentials are looked
 * for, what the origin sees (identity headers, hidden credentials, stripped spoofed headers), the
 * refusals a client gets, and bcrypt checks kept off the event loop.
 */
class AuthEndToEndTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final OriginPerClass env = new OriginPerClass();
  private static GatewayFixture gw;

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
                custom-id: c-1
                groups: [ admins, staff ]
                credentials:
                  key-auth: [ { key: "%s", id: alice-key-1 } ]
                  basic-auth: { username: alice, password: "%s" }
              - name: bob
                groups: [ users ]
                credentials:
                  key-auth: { key: "%s" }
                  basic-auth: { username: bob, password: "%s" }
              - name: guest
                groups: [ anonymous ]
            routes:
              - name: open
                paths: [ /open ]
                service: backend
                strip-prefix: true
              - name: key
                paths: [ /key ]
                service: backend
                strip-prefix: true
                plugins:
                  key-auth: { header-names: [ X-API-Key ], query-names: [ apikey ] }
              - name: key-detailed
                paths: [ /detailed ]
                service: backend
                strip-prefix: true
                plugins:
                  key-auth:
                    header-names: [ X-API-Key ]
                    query-names: [ apikey ]
                    uniform-failures: false
              - name: basic-detailed
                paths: [ /basic-detailed ]
                service: backend
                strip-prefix: true
                plugins:
                  basic-auth: { uniform-failures: false }
              - name: key-hidden
                paths: [ /hidden ]
                service: backend
                strip-prefix: true
                plugins:
                  key-auth:
                    header-names: [ X-API-Key ]
                    query-names: [ apikey ]
                    hide-credentials: true
              - name: key-anonymous
                paths: [ /maybe ]
                service: backend
                strip-prefix: true
                plugins:
                  key-auth: { anonymous: guest }
              - name: admins
                paths: [ /admin ]
                service: backend
                strip-prefix: true
                plugins:
                  key-auth: { header-names: [ X-API-Key ] }
                  acl: { allow-groups: [ admins ] }
              - name: not-bob
                paths: [ /not-bob ]
                service: backend
                strip-prefix: true
                plugins:
                  key-auth: { header-names: [ X-API-Key ] }
                  acl: { deny-consumers: [ bob ] }
              - name: acl-only
                paths: [ /acl-only ]
                service: backend
                strip-prefix: true
                plugins:
                  acl: { allow-groups: [ admins ] }
              - name: basic
                paths: [ /basic ]
                service: backend
                strip-prefix: true
                plugins:
                  basic-auth: { realm: api, hide-credentials: true }
              - name: any
                paths: [ /any ]
                service: backend
                strip-prefix: true
                plugins:
                  key-auth: { header-names: [ X-API-Key ], anonymous: guest }
                  basic-auth: { anonymous: guest }
                  acl: { deny-groups: [ anonymous ] }
              - name: multi
                paths: [ /multi ]
                service: backend
                strip-prefix: true
                plugins:
                  multi-auth:
                    methods:
                      key-auth: { header-names: [ X-API-Key ] }
                      basic-auth: {}
                    hide-credentials: true
            """
                .formatted(
                    env.origin().authority(),
                    KeyHash.of("alice-key"),
                    BCrypt.hashpw("alice-password", BCrypt.gensalt(4)),
                    KeyHash.of("bob-key"),
                    BCrypt.hashpw("bob-password", BCrypt.gensalt(12))));
  }

  private static HttpResponse<String> get(String path, String... headers) throws Exception {
    java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(gw.uri(path));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return gw.send(b);
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static void assertProblem(HttpResponse<String> r, int status, String type)
      throws Exception {
    assertThat(r.statusCode()).isEqualTo(status);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("type").asText()).isEqualTo("https://portico.dev/problems/" + type);
  }

  @Test
  void keyInHeaderAuthenticatesAndForwardsTheIdentity() throws Exception {
    HttpResponse<String> r = get("/key/hello", "X-API-Key", "alice-key");
    assertThat(r.statusCode()).isEqualTo(200);
    HttpRequest seen = env.origin().lastRequest();
    assertThat(seen.headers().get("x-consumer-name")).isEqualTo("alice");
    assertThat(seen.headers().get("x-consumer-custom-id")).isEqualTo("c-1");
    assertThat(seen.headers().get("x-consumer-groups")).isEqualTo("admins, staff");
    assertThat(seen.headers().get("x-credential-id")).isEqualTo("alice-key-1");
    assertThat(seen.headers().contains("x-anonymous-consumer")).isFalse();
    assertThat(seen.headers().get("x-api-key")).isEqualTo("alice-key");
  }

  @Test
  void keyHeaderNameMatchesInAnyCase() throws Exception {
    try (RawClient raw = gw.raw()) {
      String response =
          raw.send("GET /key/hello HTTP/1.1\r\nHost: test\r\nx-API-kEy: bob-key\r\n\r\n")
              .readUntil("\r\n\r\n", 5000);
      assertThat(response).startsWith("HTTP/1.1 200");
    }
    assertThat(env.origin().lastRequest().headers().get("x-consumer-name")).isEqualTo("bob");
  }

  @Test
  void missingKeyIsRefusedWith401AndAChallenge() throws Exception {
    int before = env.origin().requestCount();
    HttpResponse<String> r = get("/key/hello");
    assertProblem(r, 401, "authentication-required");
    assertThat(r.headers().firstValue("www-authenticate")).hasValue("Key realm=\"portico\"");
    assertThat(env.origin().requestCount()).isEqualTo(before);
  }

  /**
   * Whether {@code r} is exactly the refusal of a request without any credential: status,
   * challenge, and problem body but for its request id.
   */
  private static void assertSameRefusalAs(HttpResponse<String> r, HttpResponse<String> none)
      throws Exception {
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().allValues("www-authenticate"))
        .isEqualTo(none.headers().allValues("www-authenticate"));
    assertThat(r.headers().firstValue("content-type"))
        .isEqualTo(none.headers().firstValue("content-type"));
    ObjectNode a = (ObjectNode) JSON.readTree(r.body());
    ObjectNode b = (ObjectNode) JSON.readTree(none.body());
    for (String varying : List.of("instance", "request_id")) {
      a.remove(varying);
      b.remove(varying);
    }
    assertThat(a).isEqualTo(b);
  }

  @Test
  void wrongKeyIsRefusedWithoutSayingWhy() throws Exception {
    HttpResponse<String> r = get("/key/hello", "X-API-Key", "alice-key-guess");
    assertSameRefusalAs(r, get("/key/hello"));
    assertThat(r.headers().firstValue("www-authenticate")).hasValue("Key realm=\"portico\"");
    assertThat(r.body()).doesNotContain("alice").doesNotContain("guess");
  }

  @Test
  void missingEmptyWrongAndDoubledKeysGetTheVerySameRefusal() throws Exception {
    HttpResponse<String> none = get("/key/hello");

    assertSameRefusalAs(get("/key/hello", "X-API-Key", ""), none);
    assertSameRefusalAs(get("/key/hello?apikey="), none);
    assertSameRefusalAs(get("/key/hello", "X-API-Key", "wrong"), none);
    assertSameRefusalAs(get("/key/hello?apikey=alice-key", "X-API-Key", "bob-key"), none);
  }

  @Test
  void missingEmptyWrongAndMalformedBasicCredentialsGetTheVerySameRefusal() throws Exception {
    HttpResponse<String> none = get("/basic/hello");

    assertSameRefusalAs(get("/basic/hello", "Authorization", "Basic "), none);
    assertSameRefusalAs(get("/basic/hello", "Authorization", "Basic !!!"), none);
    assertSameRefusalAs(get("/basic/hello", "Authorization", basic("alice", "nope")), none);
    assertSameRefusalAs(get("/basic/hello", "Authorization", basic("nobody", "x")), none);
  }

  @Test
  void withoutUniformFailuresAWrongKeyIsNamedInvalid() throws Exception {
    HttpResponse<String> wrong = get("/detailed/hello", "X-API-Key", "alice-key-guess");
    assertProblem(wrong, 401, "invalid-credentials");
    assertThat(wrong.headers().firstValue("www-authenticate"))
        .hasValue("Key realm=\"portico\", error=\"invalid_token\"");
    assertThat(wrong.body()).doesNotContain("alice").doesNotContain("guess");
    HttpResponse<String> two = get("/detailed/hello?apikey=alice-key", "X-API-Key", "bob-key");
    assertThat(two.headers().firstValue("www-authenticate").orElseThrow())
        .contains("error=\"invalid_request\"");
    assertProblem(get("/detailed/hello"), 401, "authentication-required");
    assertProblem(
        get("/basic-detailed/hello", "Authorization", basic("alice", "nope")),
        401,
        "invalid-credentials");
  }

  @Test
  void keyInAHeaderNotConfiguredIsNotACredential() throws Exception {
    assertProblem(get("/key/hello", "apikey", "alice-key"), 401, "authentication-required");
  }

  @Test
  void keyInQueryAuthenticatesButTheParameterNameIsExact() throws Exception {
    assertThat(get("/key/hello?apikey=alice-key").statusCode()).isEqualTo(200);
    assertThat(env.origin().lastRequest().headers().get("x-consumer-name")).isEqualTo("alice");
    assertProblem(get("/key/hello?APIKEY=alice-key"), 401, "authentication-required");
  }

  @Test
  void percentEncodedQueryNameAndValueAreTheSameKey() throws Exception {
    // Decoded as the upstream would decode them: an encoded variant is the same parameter.
    assertThat(get("/key/hello?api%6Bey=alice%2Dkey").statusCode()).isEqualTo(200);
    assertThat(env.origin().lastRequest().headers().get("x-consumer-name")).isEqualTo("alice");
    assertProblem(
        get("/key/hello?api%6Bey=alice-key&apikey=alice-key"), 401, "authentication-required");
  }

  @Test
  void hideCredentialsRemovesAPercentEncodedKeyParameterToo() throws Exception {
    assertThat(get("/hidden/hello?a=1&%61pikey=bob%2Dkey&b=2").statusCode()).isEqualTo(200);
    HttpRequest seen = env.origin().lastRequest();
    assertThat(seen.uri()).isEqualTo("/hello?a=1&b=2");
    assertThat(seen.headers().get("x-consumer-name")).isEqualTo("bob");
  }

  @Test
  void twoKeysInOneRequestAreRefused() throws Exception {
    HttpResponse<String> r = get("/key/hello?apikey=alice-key", "X-API-Key", "bob-key");
    assertSameRefusalAs(r, get("/key/hello"));
  }

  @Test
  void hideCredentialsRemovesTheKeyFromHeaderAndQuery() throws Exception {
    assertThat(get("/hidden/hello?a=1", "X-API-Key", "alice-key").statusCode()).isEqualTo(200);
    assertThat(env.origin().lastRequest().headers().contains("x-api-key")).isFalse();
    assertThat(get("/hidden/hello?a=1&apikey=bob-key&b=2").statusCode()).isEqualTo(200);
    HttpRequest seen = env.origin().lastRequest();
    assertThat(seen.uri()).isEqualTo("/hello?a=1&b=2");
    assertThat(seen.headers().get("x-consumer-name")).isEqualTo("bob");
  }

  @Test
  void spoofedIdentityHeadersAreReplaced() throws Exception {
    HttpResponse<String> r =
        get(
            "/key/hello",
            "X-API-Key",
            "bob-key",
            "X-Consumer-Name",
            "alice",
            "X-Consumer-Groups",
            "admins",
            "X-Consumer-Custom-Id",
            "c-1",
            "X-Credential-Id",
            "alice-key-1",
            "X-Anonymous-Consumer",
            "false");
    assertThat(r.statusCode()).isEqualTo(200);
    HttpRequest seen = env.origin().lastRequest();
    assertThat(seen.headers().getAll("x-consumer-name")).containsExactly("bob");
    assertThat(seen.headers().getAll("x-consumer-groups")).containsExactly("users");
    assertThat(seen.headers().contains("x-consumer-custom-id")).isFalse();
    assertThat(seen.headers().contains("x-credential-id")).isFalse();
    assertThat(seen.headers().contains("x-anonymous-consumer")).isFalse();
  }

  @Test
  void anonymousConsumerIsUsedWithoutACredentialButNotWithAWrongOne() throws Exception {
    HttpResponse<String> r = get("/maybe/hello", "X-Consumer-Name", "alice");
    assertThat(r.statusCode()).isEqualTo(200);
    HttpRequest seen = env.origin().lastRequest();
    assertThat(seen.headers().getAll("x-consumer-name")).containsExactly("guest");
    assertThat(seen.headers().get("x-anonymous-consumer")).isEqualTo("true");
    assertProblem(get("/maybe/hello", "apikey", "nope"), 401, "authentication-required");
  }

  @Test
  void aclAllowsAnAllowedGroupAndRefusesOthersWith403() throws Exception {
    assertThat(get("/admin/hello", "X-API-Key", "alice-key").statusCode()).isEqualTo(200);
    int before = env.origin().requestCount();
    assertProblem(get("/admin/hello", "X-API-Key", "bob-key"), 403, "forbidden");
    assertThat(get("/not-bob/hello", "X-API-Key", "alice-key").statusCode()).isEqualTo(200);
    assertProblem(get("/not-bob/hello", "X-API-Key", "bob-key"), 403, "forbidden");
    assertThat(env.origin().requestCount()).isEqualTo(before + 1);
  }

  @Test
  void aclWithoutAnIdentityAnswers401() throws Exception {
    assertProblem(
        get("/acl-only/hello", "X-Consumer-Groups", "admins"), 401, "authentication-required");
  }

  @Test
  void basicAuthAuthenticatesAndHidesTheAuthorizationHeader() throws Exception {
    HttpResponse<String> r = get("/basic/hello", "Authorization", basic("alice", "alice-password"));
    assertThat(r.statusCode()).isEqualTo(200);
    HttpRequest seen = env.origin().lastRequest();
    assertThat(seen.headers().get("x-consumer-name")).isEqualTo("alice");
    assertThat(seen.headers().get("x-credential-id")).isEqualTo("alice");
    assertThat(seen.headers().contains("authorization")).isFalse();
    // a second request is answered from the cache of successful checks
    assertThat(get("/basic/hello", "Authorization", basic("alice", "alice-password")).statusCode())
        .isEqualTo(200);
  }

  @Test
  void basicAuthRefusesWrongMissingAndMalformedCredentials() throws Exception {
    String challenge = "Basic realm=\"api\", charset=\"UTF-8\"";
    HttpResponse<String> missing = get("/basic/hello");
    assertProblem(missing, 401, "authentication-required");
    assertThat(missing.headers().firstValue("www-authenticate")).hasValue(challenge);
    HttpResponse<String> wrong = get("/basic/hello", "Authorization", basic("alice", "alice"));
    assertProblem(wrong, 401, "authentication-required");
    assertThat(wrong.headers().firstValue("www-authenticate")).hasValue(challenge);
    assertProblem(
        get("/basic/hello", "Authorization", basic("mallory", "alice-password")),
        401,
        "authentication-required");
    assertProblem(
        get("/basic/hello", "Authorization", "Basic !!!"), 401, "authentication-required");
    assertProblem(
        get("/basic/hello", "Authorization", basic("Alice", "alice-password")),
        401,
        "authentication-required");
  }

  @Test
  void bcryptCheckDoesNotBlockTheEventLoop() throws Exception {
    // one I/O thread: a blocking check would hold the plain request behind it
    CompletableFuture<HttpResponse<String>> slow =
        gw.client()
            .sendAsync(
                java.net.http.HttpRequest.newBuilder(gw.uri("/basic/hellolow"))
                    .header("Authorization", basic("bob", "wrong-password"))
                    .timeout(Duration.ofSeconds(20))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    Thread.sleep(30);
    HttpResponse<String> plain = get("/open/hello");
    assertThat(plain.statusCode()).isEqualTo(200);
    assertThat(slow).isNotDone();
    assertThat(slow.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(401);
  }

  @Test
  void anonymousOnSeveralPluginsCombinesThemAsAnyOf() throws Exception {
    assertThat(get("/any/hello", "X-API-Key", "alice-key").statusCode()).isEqualTo(200);
    assertThat(env.origin().lastRequest().headers().get("x-consumer-name")).isEqualTo("alice");
    assertThat(get("/any/hello", "Authorization", basic("alice", "alice-password")).statusCode())
        .isEqualTo(200);
    HttpRequest seen = env.origin().lastRequest();
    assertThat(seen.headers().getAll("x-consumer-name")).containsExactly("alice");
    assertThat(seen.headers().contains("x-anonymous-consumer")).isFalse();
    assertProblem(get("/any/hello"), 403, "forbidden");
  }

  @Test
  void multiAuthAcceptsAnyOneMethodAndHidesTheCredentialThatWorked() throws Exception {
    assertThat(get("/multi/hello", "X-API-Key", "bob-key").statusCode()).isEqualTo(200);
    assertThat(env.origin().lastRequest().headers().get("x-consumer-name")).isEqualTo("bob");
    assertThat(env.origin().lastRequest().headers().contains("x-api-key")).isFalse();

    HttpResponse<String> r =
        get(
            "/multi/hello",
            "X-API-Key",
            "wrong-key",
            "Authorization",
            basic("alice", "alice-password"));
    assertThat(r.statusCode()).isEqualTo(200);
    HttpRequest seen = env.origin().lastRequest();
    assertThat(seen.headers().get("x-consumer-name")).isEqualTo("alice");
    assertThat(seen.headers().contains("authorization")).isFalse();
    assertThat(seen.headers().get("x-api-key")).isEqualTo("wrong-key");
  }

  @Test
  void multiAuthRefusesWithEveryChallengeWhenNoMethodSucceeds() throws Exception {
    HttpResponse<String> none = get("/multi/hello");
    assertProblem(none, 401, "authentication-required");
    assertThat(none.headers().allValues("www-authenticate"))
        .containsExactly("Key realm=\"portico\", Basic realm=\"portico\", charset=\"UTF-8\"");
    assertSameRefusalAs(
        get("/multi/hello", "X-API-Key", "wrong", "Authorization", basic("alice", "nope")), none);
  }
}
