package io.portico.plugins.auth.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OAuthServerPerClass;
import io.portico.testing.OriginPerClass;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code oauth2-introspection} in a running gateway: against the mock OAuth 2.0 server's real
 * introspection endpoint, and a scripted endpoint that counts calls, checks the gateway's client
 * credentials and can be slow or broken. An outage is always a 503, never a 401.
 */
class IntrospectionPluginTest {

  @RegisterExtension static final OAuthServerPerClass oauth = new OAuthServerPerClass();
  private static HttpServer as;
  private static final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private static final List<String> authorizations = new CopyOnWriteArrayList<>();
  private static final List<String> bodies = new CopyOnWriteArrayList<>();
  @RegisterExtension static final OriginPerClass env = new OriginPerClass();
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    as = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    as.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    as.createContext("/introspect", IntrospectionPluginTest::answer);
    as.start();
    String scripted = "http://127.0.0.1:" + as.getAddress().getPort() + "/introspect";
    gw =
        env.start(
            """
            services:
              - name: backend
                targets: [ "%1$s" ]
            consumers:
              - name: billing-service
                groups: [ internal ]
                credentials:
                  oauth2-introspection: { key: billing }
            routes:
              - name: mock
                paths: [ "/mock" ]
                strip-prefix: true
                service: backend
                plugins:
                  oauth2-introspection:
                    endpoint: "%2$s"
                    client-id: gateway
                    client-secret: s3cret
              - name: scripted
                paths: [ "/api" ]
                strip-prefix: true
                service: backend
                plugins:
                  oauth2-introspection:
                    endpoint: "%3$s"
                    client-id: gateway
                    client-secret: s3cret
                    timeout: 300ms
                    cache: { max-ttl: 1h, negative-ttl: 1h }
                    scopes: [ read ]
                    consumer-claim: client_id
                    claims-to-headers: { sub: X-Subject }
              - name: posted
                paths: [ "/post" ]
                strip-prefix: true
                service: backend
                plugins:
                  oauth2-introspection:
                    endpoint: "%3$s"
                    client-id: gateway
                    client-secret: s3cret
                    client-auth: client_secret_post
              - name: lenient
                paths: [ "/lenient" ]
                strip-prefix: true
                service: backend
                plugins:
                  oauth2-introspection:
                    endpoint: "%3$s"
                    client-id: gateway
                    client-secret: s3cret
                    timeout: 300ms
                    on-unavailable: allow
              - name: down
                paths: [ "/down" ]
                strip-prefix: true
                service: backend
                plugins:
                  oauth2-introspection:
                    endpoint: "http://127.0.0.1:1/introspect"
                    client-id: gateway
                    client-secret: s3cret
            """
                .formatted(
                    env.origin().authority(), oauth.server().url("default/introspect"), scripted));
  }

  @AfterAll
  static void stop() throws Exception {
    as.stop(0);
  }

  private static void answer(com.sun.net.httpserver.HttpExchange exchange)
      throws java.io.IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    bodies.add(body);
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    authorizations.add(auth == null ? "" : auth);
    String token = "";
    for (String pair : body.split("&")) {
      if (pair.startsWith("token=")) {
        token = URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8);
      }
    }
    calls.computeIfAbsent(token, t -> new AtomicInteger()).incrementAndGet();
    long exp = Instant.now().getEpochSecond() + 600;
    int status = 200;
    String json;
    switch (token) {
      case "good" ->
          json =
              "{\"active\":true,\"scope\":\"read write\",\"sub\":\"u-1\",\"client_id\":\"billing\","
                  + "\"exp\":"
                  + exp
                  + "}";
      case "no-scope" -> json = "{\"active\":true,\"scope\":\"write\",\"exp\":" + exp + "}";
      case "refresh" ->
          json = "{\"active\":true,\"token_type\":\"refresh_token\",\"scope\":\"read\"}";
      case "keycloak-refresh" -> json = "{\"active\":true,\"typ\":\"Refresh\",\"scope\":\"read\"}";
      case "id-token" ->
          json =
              "{\"active\":true,\"token_type\":\"urn:ietf:params:oauth:token-type:id_token\","
                  + "\"scope\":\"read\"}";
      case "typed-access" ->
          json =
              "{\"active\":true,\"token_type\":\"Bearer\",\"typ\":\"Bearer\",\"scope\":\"read\","
                  + "\"sub\":\"u-2\"}";
      case "crlf-subject" ->
          json = "{\"active\":true,\"scope\":\"read\",\"sub\":\"u-3\\r\\nX-Admin: true\"}";
      case "slow" -> {
        try {
          Thread.sleep(1500);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        json = "{\"active\":true,\"scope\":\"read\"}";
      }
      case "broken" -> {
        status = 500;
        json = "{}";
      }
      default -> json = "{\"active\":false}";
    }
    byte[] out = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, out.length);
    try (OutputStream o = exchange.getResponseBody()) {
      o.write(out);
    }
  }

  private static HttpResponse<String> get(String path, String token) throws Exception {
    return gw.send(
        java.net.http.HttpRequest.newBuilder(gw.uri(path))
            .header("Authorization", "Bearer " + token));
  }

  private static int calls(String token) {
    AtomicInteger n = calls.get(token);
    return n == null ? 0 : n.get();
  }

  @Test
  void acceptsActiveTokenOfTheMockServer() throws Exception {
    String token =
        oauth.server().issueToken("default", "alice", "api", Map.of(), 3600L).serialize();
    assertThat(get("/mock/hello", token).statusCode()).isEqualTo(200);
    HttpResponse<String> r = get("/mock/hello", "opaque-and-unknown");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"portico\"");
  }

  @Test
  void activeTokenPassesWithItsIdentityAndIsCached() throws Exception {
    HttpResponse<String> r = get("/api/hello", "good");
    assertThat(r.statusCode()).isEqualTo(200);
    var seen = env.origin().lastRequest().headers();
    assertThat(seen.get("x-consumer-name")).isEqualTo("billing-service");
    assertThat(seen.get("x-consumer-groups")).isEqualTo("internal");
    assertThat(seen.get("x-subject")).isEqualTo("u-1");
    int before = calls("good");
    assertThat(get("/api/hello", "good").statusCode()).isEqualTo(200);
    assertThat(calls("good")).isEqualTo(before);
    String expected =
        "Basic "
            + Base64.getEncoder().encodeToString("gateway:s3cret".getBytes(StandardCharsets.UTF_8));
    assertThat(authorizations).contains(expected);
  }

  @Test
  void inactiveTokenIsInvalidAndTheAnswerIsCached() throws Exception {
    assertThat(get("/api/hello", "revoked").statusCode()).isEqualTo(401);
    assertThat(get("/api/hello", "revoked").statusCode()).isEqualTo(401);
    assertThat(calls("revoked")).isEqualTo(1);
  }

  @Test
  void anotherSchemeIsNoTokenAndIsNotSentToTheServer() throws Exception {
    int before = bodies.size();
    HttpResponse<String> r =
        gw.send(
            java.net.http.HttpRequest.newBuilder(gw.uri("/api/hello"))
                .header("Authorization", "Basic YWxpY2U6cGFzc3dvcmQ="));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"portico\"");
    assertThat(r.body()).contains("authentication-required");
    assertThat(bodies).hasSize(before);
  }

  @Test
  void missingScopeIsForbidden() throws Exception {
    HttpResponse<String> r = get("/api/hello", "no-scope");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().firstValue("www-authenticate").orElseThrow())
        .contains("error=\"insufficient_scope\"")
        .contains("scope=\"read\"");
  }

  @Test
  void slowServerIsUnavailableAfterTheTimeout() throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> r = get("/api/hello", "slow");
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("www-authenticate")).isEmpty();
    assertThat(r.body()).contains("authentication-unavailable");
    assertThat(millis).isLessThan(1400);
  }

  @Test
  void serverErrorAndUnreachableServerAreUnavailable() throws Exception {
    assertThat(get("/api/hello", "broken").statusCode()).isEqualTo(503);
    assertThat(get("/down/hello", "anything").statusCode()).isEqualTo(503);
  }

  @Test
  void outageIsNotCached() throws Exception {
    assertThat(get("/api/hello", "broken").statusCode()).isEqualTo(503);
    int before = calls("broken");
    assertThat(get("/api/hello", "broken").statusCode()).isEqualTo(503);
    assertThat(calls("broken")).isEqualTo(before + 1);
  }

  @Test
  void lenientRoutePassesUnauthenticatedWhenTheServerIsDown() throws Exception {
    HttpResponse<String> r =
        gw.send(
            java.net.http.HttpRequest.newBuilder(gw.uri("/lenient/hello"))
                .header("Authorization", "Bearer broken")
                .header("X-Consumer-Name", "mallory"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(env.origin().lastRequest().headers().contains("x-consumer-name")).isFalse();
    assertThat(env.origin().lastRequest().headers().get("x-anonymous-consumer")).isEqualTo("true");
    assertThat(get("/lenient/hello", "revoked").statusCode()).isEqualTo(401);
  }

  @Test
  void anActiveTokenThatIsNotAnAccessTokenIsRefused() throws Exception {
    HttpResponse<String> none = gw.send(java.net.http.HttpRequest.newBuilder(gw.uri("/api/x")));
    for (String token : List.of("refresh", "keycloak-refresh", "id-token")) {
      HttpResponse<String> r = get("/api/hello", token);
      assertThat(r.statusCode()).as(token).isEqualTo(401);
      assertThat(r.headers().allValues("www-authenticate"))
          .isEqualTo(none.headers().allValues("www-authenticate"));
    }
    assertThat(get("/api/hello", "typed-access").statusCode()).isEqualTo(200);
    assertThat(env.origin().lastRequest().headers().get("x-subject")).isEqualTo("u-2");
  }

  @Test
  void asksTheServerAboutAnAccessToken() throws Exception {
    get("/api/hello", "typed-access");
    assertThat(bodies)
        .anySatisfy(b -> assertThat(b).contains("token_type_hint=access_token"))
        .allSatisfy(b -> assertThat(b).contains("token_type_hint=access_token"));
  }

  @Test
  void anAnswerWhoseSubjectCannotBeAHeaderValueIsRefusedNotA500() throws Exception {
    int before = env.origin().requestCount();
    HttpResponse<String> r = get("/api/hello", "crlf-subject");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(env.origin().requestCount()).isEqualTo(before);
  }

  @Test
  void clientSecretPostSendsCredentialsInTheBody() throws Exception {
    assertThat(get("/post/hello", "good").statusCode()).isEqualTo(200);
    assertThat(bodies)
        .anySatisfy(
            b -> assertThat(b).contains("client_id=gateway").contains("client_secret=s3cret"));
  }
}
