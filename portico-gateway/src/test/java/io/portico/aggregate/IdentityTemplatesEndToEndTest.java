package io.portico.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OAuthServerPerClass;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The caller's identity in templates, end to end: a consumer found by {@code key-auth} and one
 * found by {@code jwt} with a token of a real OAuth 2.0 server (mock-oauth2-server, its JWKS
 * fetched over HTTP), rendered into aggregate backends' requests and into {@code
 * request-transformer}'s edits. The origin records what it received: the rendered values, the
 * defaults of missing claims, and nothing of a missing value without a default — never a template's
 * text.
 */
class IdentityTemplatesEndToEndTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "k-3c9e1a7f5b2d8c4e6a0f1b3d5e7a9c2b";

  @RegisterExtension static final OAuthServerPerClass oauth = new OAuthServerPerClass();
  private static HttpServer echo;
  private static GatewayFixture gw;

  /** What the identity templates write, the same for every place that renders them. */
  private static final String HEADERS =
      "{ X-Consumer: \"${consumer.name}\", X-Custom-Id: \"${consumer.custom_id}\","
          + " X-Groups: \"${consumer.groups}\", X-Tenant: \"${claim.tenant:-no-tenant}\","
          + " X-Roles: \"${claim.roles:-}\", X-Nothing: \"${claim.nothing}\" }";

  @BeforeAll
  static void start() throws Exception {
    // Any request -> its method, URI, identity headers and body, as JSON.
    echo = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    echo.setExecutor(Executors.newCachedThreadPool());
    echo.createContext(
        "/",
        ex -> {
          ObjectNode seen = JSON.createObjectNode();
          seen.put("method", ex.getRequestMethod());
          seen.put("uri", ex.getRequestURI().toString());
          ObjectNode headers = seen.putObject("headers");
          for (String name :
              List.of(
                  "X-Consumer", "X-Custom-Id", "X-Groups", "X-Tenant", "X-Roles", "X-Nothing")) {
            String value = ex.getRequestHeaders().getFirst(name);
            if (value != null) {
              headers.put(name, value);
            }
          }
          seen.put("body", new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          byte[] bytes = JSON.writeValueAsBytes(seen);
          ex.getResponseHeaders().set("Content-Type", "application/json");
          ex.sendResponseHeaders(200, bytes.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
          }
        });
    echo.start();
    String jwt =
        """
        jwt:
          algorithms: [ RS256 ]
          issuers: [ { issuer: "%s", jwks-url: "%s" } ]
          audiences: [ api ]
          consumer-claim: sub
        """
            .formatted(oauth.server().issuerUrl("default"), oauth.server().jwksUrl("default"));
    String aggregate =
        """
        aggregate:
          backends:
            - name: who
              service: echo
              method: POST
              path: "/who/${consumer.name}/${claim.sub:-anonymous}"
              query: { tenant: "${claim.tenant:-no-tenant}", region: "${claim.region}" }
              headers: %s
              body:
                consumer: "${consumer.name}"
                groups: "${consumer.groups}"
                roles: "${claim.roles}"
                tenant: "${claim.tenant:-no-tenant}"
                nothing: "${claim.nothing}"
              group: who
            - { name: other, service: echo, path: /other, group: other }
        """
            .formatted(HEADERS);
    String transformer =
        """
        request-transformer:
          path: "/edit/${consumer.name}/${claim.sub:-anonymous}"
          query:
            set: { tenant: "${claim.tenant:-no-tenant}", region: "${claim.region}" }
          headers:
            set: %s
          body:
            set:
              /consumer: "${consumer.name}"
              /groups: "${consumer.groups}"
              /roles: "${claim.roles}"
              /tenant: "${claim.tenant:-no-tenant}"
              /nothing: "${claim.nothing}"
        """
            .formatted(HEADERS);
    gw =
        GatewayFixture.start(
            """
            services:
              - name: echo
                targets: [ "127.0.0.1:%d" ]
            consumers:
              - name: alice
                custom-id: A-1
                groups: [ staff, admins ]
                credentials:
                  key-auth: { key: "%s" }
                  jwt: { key: alice }
            routes:
              - name: key-aggregate
                paths: [ /key/aggregate ]
                plugins:
            %s
            %s
              - name: jwt-aggregate
                paths: [ /jwt/aggregate ]
                plugins:
            %s
            %s
              - name: key-transform
                paths: [ /key/transform ]
                service: echo
                plugins:
            %s
            %s
              - name: jwt-transform
                paths: [ /jwt/transform ]
                service: echo
                plugins:
            %s
            %s
            """
                .formatted(
                    echo.getAddress().getPort(),
                    "sha256:"
                        + HexFormat.of()
                            .formatHex(
                                MessageDigest.getInstance("SHA-256")
                                    .digest(KEY.getBytes(StandardCharsets.UTF_8))),
                    indent("key-auth: { header-names: [ X-API-Key ] }", 6),
                    indent(aggregate, 4),
                    indent(jwt, 6),
                    indent(aggregate, 4),
                    indent("key-auth: { header-names: [ X-API-Key ] }", 6),
                    indent(transformer, 6),
                    indent(jwt, 6),
                    indent(transformer, 6)));
  }

  private static String indent(String text, int spaces) {
    return text.strip().indent(spaces).stripTrailing();
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    echo.stop(0);
  }

  private static HttpResponse<String> withKey(String path) throws Exception {
    return gw.send(
        HttpRequest.newBuilder(gw.uri(path))
            .header("X-API-Key", KEY)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{}")));
  }

  private static HttpResponse<String> withToken(String path, Map<String, Object> claims)
      throws Exception {
    String token = oauth.server().issueToken("default", "alice", "api", claims, 3600L).serialize();
    return gw.send(
        HttpRequest.newBuilder(gw.uri(path))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{}")));
  }

  /** What the origin received, checked for a consumer found by key-auth (no claims at all). */
  private static void assertKeyConsumer(JsonNode seen, String pathPrefix) throws Exception {
    assertThat(seen.get("uri").asText())
        .isEqualTo(pathPrefix + "/alice/anonymous?tenant=no-tenant");
    JsonNode h = seen.get("headers");
    assertThat(h.get("X-Consumer").asText()).isEqualTo("alice");
    assertThat(h.get("X-Custom-Id").asText()).isEqualTo("A-1");
    assertThat(h.get("X-Groups").asText()).isEqualTo("staff,admins");
    assertThat(h.get("X-Tenant").asText()).isEqualTo("no-tenant");
    assertThat(h.has("X-Roles")).as("an empty default writes no header").isFalse();
    assertThat(h.has("X-Nothing")).as("a missing claim writes no header").isFalse();
    JsonNode body = JSON.readTree(seen.get("body").asText());
    assertThat(body.get("consumer").asText()).isEqualTo("alice");
    assertThat(body.get("groups").toString()).isEqualTo("[\"staff\",\"admins\"]");
    assertThat(body.get("tenant").asText()).isEqualTo("no-tenant");
    assertThat(body.has("roles")).isFalse();
    assertThat(body.has("nothing")).isFalse();
  }

  /** What the origin received, checked for a consumer found by jwt, with the token's claims. */
  private static void assertJwtConsumer(JsonNode seen, String pathPrefix) throws Exception {
    assertThat(seen.get("uri").asText()).isEqualTo(pathPrefix + "/alice/alice?tenant=t-9");
    JsonNode h = seen.get("headers");
    assertThat(h.get("X-Consumer").asText()).isEqualTo("alice");
    assertThat(h.get("X-Custom-Id").asText()).isEqualTo("A-1");
    assertThat(h.get("X-Groups").asText()).isEqualTo("staff,admins");
    assertThat(h.get("X-Tenant").asText()).isEqualTo("t-9");
    assertThat(h.get("X-Roles").asText()).isEqualTo("[\"read\",\"write\"]");
    assertThat(h.has("X-Nothing")).isFalse();
    JsonNode body = JSON.readTree(seen.get("body").asText());
    assertThat(body.get("consumer").asText()).isEqualTo("alice");
    assertThat(body.get("groups").toString()).isEqualTo("[\"staff\",\"admins\"]");
    assertThat(body.get("roles").toString()).isEqualTo("[\"read\",\"write\"]");
    assertThat(body.get("tenant").asText()).isEqualTo("t-9");
    assertThat(body.has("nothing")).isFalse();
  }

  @Test
  void aggregateBackendsSeeTheKeyAuthConsumerAndTheDefaultsOfClaimsItLacks() throws Exception {
    HttpResponse<String> r = withKey("/key/aggregate");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).doesNotContain("${").doesNotContain("claim.");
    JsonNode who = JSON.readTree(r.body()).get("who");
    assertThat(who.get("method").asText()).isEqualTo("POST");
    assertKeyConsumer(who, "/who");
  }

  @Test
  void aggregateBackendsSeeTheJwtConsumerAndItsVerifiedClaims() throws Exception {
    HttpResponse<String> r =
        withToken("/jwt/aggregate", Map.of("tenant", "t-9", "roles", List.of("read", "write")));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).doesNotContain("${");
    assertJwtConsumer(JSON.readTree(r.body()).get("who"), "/who");
  }

  @Test
  void requestTransformerSeesTheKeyAuthConsumerAndTheDefaultsOfClaimsItLacks() throws Exception {
    HttpResponse<String> r = withKey("/key/transform");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).doesNotContain("${");
    assertKeyConsumer(JSON.readTree(r.body()), "/edit");
  }

  @Test
  void requestTransformerSeesTheJwtConsumerAndItsVerifiedClaims() throws Exception {
    HttpResponse<String> r =
        withToken("/jwt/transform", Map.of("tenant", "t-9", "roles", List.of("read", "write")));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).doesNotContain("${");
    assertJwtConsumer(JSON.readTree(r.body()), "/edit");
  }

  @Test
  void aTokenWithoutTheOptionalClaimsFallsBackToTheDefaults() throws Exception {
    HttpResponse<String> r = withToken("/jwt/aggregate", Map.of());

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode who = JSON.readTree(r.body()).get("who");
    assertThat(who.get("uri").asText()).isEqualTo("/who/alice/alice?tenant=no-tenant");
    assertThat(who.get("headers").get("X-Tenant").asText()).isEqualTo("no-tenant");
    assertThat(who.get("headers").has("X-Roles")).isFalse();
    assertThat(who.get("body").asText()).doesNotContain("${").doesNotContain("roles");
  }

  @Test
  void withoutCredentialsNoBackendIsCalled() throws Exception {
    HttpResponse<String> r = gw.get("/key/aggregate");

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).doesNotContain("alice");
  }
}
