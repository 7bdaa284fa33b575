package io.portico.plugins.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpRequest;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerClass;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The built-in plugins in a running gateway, over real sockets: local answers, CORS, address
 * restriction, header edits seen by the origin and the client, request ids, and how global, service
 * and route configs of one plugin override each other.
 */
class PluginsEndToEndTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ORIGIN = "https://app.example.com";

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
                plugins:
                  response-headers: { set: { X-Level: service } }
            routes:
              - name: mocked
                paths: [ "/mocked" ]
                path-match: exact
                plugins:
                  mock:
                    status: 201
                    headers: { X-Mock: "yes" }
                    json: { ok: true, n: 2 }
              - name: echoed
                paths: [ "/echoed/{id}" ]
                plugins:
                  echo: {}
              - name: cors
                paths: [ "/cors" ]
                strip-prefix: true
                service: backend
                plugins:
                  cors:
                    allow-origins: [ "%s" ]
                    allow-methods: [ GET, POST ]
                    allow-headers: [ Content-Type ]
                    expose-headers: [ X-Total ]
                    max-age: 10m
              - name: internal
                paths: [ "/internal" ]
                service: backend
                plugins:
                  ip-restriction: { deny: [ 127.0.0.0/8 ], message: "No loopback callers." }
              - name: edited
                paths: [ "/edited" ]
                strip-prefix: true
                service: backend
                plugins:
                  request-headers:
                    remove: [ X-Remove-Me ]
                    set: { X-Client-Ip: "${client_ip}", X-Route: "${route}" }
                    add: { X-Added: one }
                  response-headers:
                    set: { X-Status: "${status}" }
                    add: { X-Served-By: "${route}/${service}" }
              - name: correlated
                paths: [ "/correlated" ]
                strip-prefix: true
                service: backend
                plugins:
                  request-id: { header: X-Correlation-Id }
              - name: proxied
                paths: [ "/proxied" ]
                strip-prefix: true
                service: backend
            plugins:
              request-id: {}
              response-headers: { set: { X-Level: global } }
            """
                .formatted(env.origin().authority(), ORIGIN));
  }

  private static HttpResponse<String> send(java.net.http.HttpRequest.Builder b) throws Exception {
    return gw.send(b);
  }

  private static java.net.http.HttpRequest.Builder request(String path) {
    return java.net.http.HttpRequest.newBuilder(gw.uri(path));
  }

  @Test
  void mockAnswersLocallyWithItsStatusHeadersAndJsonBody() throws Exception {
    int before = env.origin().requestCount();
    HttpResponse<String> r = gw.get("/mocked");
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(r.headers().firstValue("x-mock")).hasValue("yes");
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(JSON.readTree(r.body())).isEqualTo(JSON.readTree("{\"ok\":true,\"n\":2}"));
    assertThat(env.origin().requestCount()).isEqualTo(before);
  }

  @Test
  void echoDescribesTheRequestAsTheGatewaySawIt() throws Exception {
    HttpResponse<String> r =
        send(request("/echoed/42?a=1&a=2").header("Authorization", "Bearer hunter2"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("method").asText()).isEqualTo("GET");
    assertThat(body.get("path").asText()).isEqualTo("/echoed/42");
    assertThat(body.at("/query/a").toString()).isEqualTo("[\"1\",\"2\"]");
    assertThat(body.at("/path_params/id").asText()).isEqualTo("42");
    assertThat(body.get("route").asText()).isEqualTo("echoed");
    assertThat(body.get("client_address").asText()).isEqualTo("127.0.0.1");
    assertThat(body.at("/headers/authorization/0").asText()).isEqualTo("[redacted]");
    assertThat(r.body()).doesNotContain("hunter2");
    assertThat(body.get("request_id").asText())
        .matches("[0-9a-f]{32}")
        .isEqualTo(r.headers().firstValue("x-request-id").orElseThrow());
  }

  @Test
  void corsAnswersAPreflightWithoutCallingTheOrigin() throws Exception {
    int before = env.origin().requestCount();
    HttpResponse<String> r =
        send(
            request("/cors/hello")
                .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
                .header("Origin", ORIGIN)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type"));
    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(r.headers().firstValue("access-control-allow-origin")).hasValue(ORIGIN);
    assertThat(r.headers().firstValue("access-control-allow-methods")).hasValue("GET, POST");
    assertThat(r.headers().firstValue("access-control-allow-headers")).hasValue("Content-Type");
    assertThat(r.headers().firstValue("access-control-max-age")).hasValue("600");
    assertThat(r.headers().allValues("vary")).anySatisfy(v -> assertThat(v).contains("Origin"));
    assertThat(env.origin().requestCount()).isEqualTo(before);
  }

  @Test
  void corsAddsOriginHeadersToAProxiedResponseForAnAllowedOriginOnly() throws Exception {
    HttpResponse<String> allowed = send(request("/cors/hello").header("Origin", ORIGIN));
    assertThat(allowed.statusCode()).isEqualTo(200);
    assertThat(allowed.body()).isEqualTo("Hello, World!");
    assertThat(allowed.headers().firstValue("access-control-allow-origin")).hasValue(ORIGIN);
    assertThat(allowed.headers().firstValue("access-control-expose-headers")).hasValue("X-Total");
    assertThat(env.origin().lastRequest().uri()).isEqualTo("/hello");

    HttpResponse<String> other =
        send(request("/cors/hello").header("Origin", "https://evil.example.net"));
    assertThat(other.statusCode()).isEqualTo(200);
    assertThat(other.headers().firstValue("access-control-allow-origin")).isEmpty();
    assertThat(other.headers().allValues("vary")).anySatisfy(v -> assertThat(v).contains("Origin"));
  }

  @Test
  void ipRestrictionRefusesADeniedClientWith403Problem() throws Exception {
    int before = env.origin().requestCount();
    HttpResponse<String> r = gw.get("/internal/hello");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("type").asText()).isEqualTo("https://portico.dev/problems/ip-forbidden");
    assertThat(body.get("status").asInt()).isEqualTo(403);
    assertThat(body.get("detail").asText()).isEqualTo("No loopback callers.");
    assertThat(body.get("request_id").asText()).matches("[0-9a-f]{32}");
    assertThat(env.origin().requestCount()).isEqualTo(before);
  }

  @Test
  void requestHeadersAreEditedBeforeTheOriginSeesThem() throws Exception {
    HttpResponse<String> r =
        send(
            request("/edited/headers")
                .header("X-Remove-Me", "secret")
                .header("X-Added", "zero")
                .header("X-Route", "forged"));
    assertThat(r.statusCode()).isEqualTo(200);
    HttpRequest seen = env.origin().lastRequest();
    assertThat(seen.headers().contains("x-remove-me")).isFalse();
    assertThat(seen.headers().get("x-client-ip")).isEqualTo("127.0.0.1");
    assertThat(seen.headers().getAll("x-route")).containsExactly("edited");
    assertThat(seen.headers().getAll("x-added")).containsExactly("zero", "one");
  }

  @Test
  void responseHeadersAreEditedBeforeTheClientSeesThem() throws Exception {
    HttpResponse<String> ok = gw.get("/edited/hello");
    assertThat(ok.headers().firstValue("x-status")).hasValue("200");
    assertThat(ok.headers().firstValue("x-served-by")).hasValue("edited/backend");

    HttpResponse<String> missing = gw.get("/edited/status/404");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.headers().firstValue("x-status")).hasValue("404");
  }

  @Test
  void requestIdIsSentUpstreamAndEchoedToTheClient() throws Exception {
    HttpResponse<String> r = gw.get("/proxied/hello");
    String id = r.headers().firstValue("x-request-id").orElseThrow();
    assertThat(id).matches("[0-9a-f]{32}");
    assertThat(env.origin().lastRequest().headers().get("x-request-id")).isEqualTo(id);
  }

  @Test
  void requestIdCopiedIntoAConfiguredHeaderBothWays() throws Exception {
    HttpResponse<String> r = gw.get("/correlated/hello");
    String id = r.headers().firstValue("x-correlation-id").orElseThrow();
    HttpRequest seen = env.origin().lastRequest();
    assertThat(seen.headers().get("x-correlation-id")).isEqualTo(id);
    assertThat(seen.headers().get("x-request-id")).isEqualTo(id);
    // The route's request-id config replaced the global one, which echoed X-Request-Id.
    assertThat(r.headers().firstValue("x-request-id")).isEmpty();
  }

  @Test
  void aRouteConfigReplacesTheServiceOneWhichReplacesTheGlobalOne() throws Exception {
    assertThat(gw.get("/mocked").headers().firstValue("x-level"))
        .as("a route without a service: the global config")
        .hasValue("global");
    assertThat(gw.get("/proxied/hello").headers().firstValue("x-level"))
        .as("a route of the service: the service's config")
        .hasValue("service");
    assertThat(gw.get("/edited/hello").headers().firstValue("x-level"))
        .as("a route with its own config: only the route's")
        .isEmpty();
  }

  @Test
  void globalPluginsApplyToGatewayErrorsToo() throws Exception {
    HttpResponse<String> r = gw.get("/no-such-route");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.headers().firstValue("x-level")).hasValue("global");
    assertThat(r.headers().firstValue("x-request-id"))
        .hasValueSatisfying(id -> assertThat(r.body()).contains(id));
  }
}
