package io.portico.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.plugins.auth.key.KeyHash;
import io.portico.testing.Cleanup;
import io.portico.testing.GatewayFixture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code GET /schemas/plugins} and {@code GET /schemas/plugins/{name}} on a running gateway. */
class PluginsEndpointTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String VIEWER = "plugins-viewer-token";
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    gw =
        GatewayFixture.start(
            """
            admin:
              address: 127.0.0.1:0
              tokens:
                - { name: viewer, hash: "%s", role: read-only }
            routes:
              - name: hello
                paths: [ "/hello" ]
                plugins:
                  rate-limit: { limits: [ { requests: 5, window: 1s } ] }
                  echo: {}
            """
                .formatted(KeyHash.of(VIEWER)));
  }

  @AfterAll
  static void stop() throws Exception {
    Cleanup.close(gw);
  }

  private static HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(gw.adminUri(path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return gw.send(b);
  }

  @Test
  void listsEveryInstalledPluginWithItsPriorityPhasesInUseAndSchema() throws Exception {
    HttpResponse<String> r = get("/schemas/plugins", VIEWER);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    List<String> names = new ArrayList<>();
    body.path("plugins").forEach(p -> names.add(p.path("name").asText()));
    assertThat(names).contains("rate-limit", "key-auth", "cors", "echo").isSorted();
    assertThat(body.path("total").asInt()).isEqualTo(names.size());
    for (JsonNode p : body.path("plugins")) {
      if (p.path("name").asText().startsWith("test-")) {
        continue; // the test class path's own plugins publish no schema
      }
      assertThat(p.path("schema").path("type").asText())
          .as(p.path("name").asText())
          .isEqualTo("object");
    }
    JsonNode rateLimit = find(body, "rate-limit");
    assertThat(rateLimit.path("priority").asInt()).isEqualTo(1100);
    assertThat(rateLimit.path("phases").toString()).contains("ACCESS");
    assertThat(rateLimit.path("schema").path("required").toString()).contains("limits");
    assertThat(find(body, "cors").path("phases").isNull()).isTrue();
    assertThat(find(body, "test-body").path("schema").isNull()).isTrue();
  }

  @Test
  void answersOnePluginByNameAnd404ForAnUnknownOne() throws Exception {
    HttpResponse<String> r = get("/schemas/plugins/key-auth", VIEWER);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode keyAuth = JSON.readTree(r.body());
    assertThat(keyAuth.path("name").asText()).isEqualTo("key-auth");
    assertThat(keyAuth.path("schema").path("properties").has("header-names")).isTrue();

    HttpResponse<String> missing = get("/schemas/plugins/%3Cnope%3E", VIEWER);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(JSON.readTree(missing.body()).path("detail").asText()).contains("<nope>");
  }

  @Test
  void needsACallerAndOnlyReads() throws Exception {
    assertThat(get("/schemas/plugins", null).statusCode()).isEqualTo(401);
    HttpResponse<String> post =
        gw.send(
            HttpRequest.newBuilder(gw.adminUri("/schemas/plugins"))
                .header("Authorization", "Bearer " + VIEWER)
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
    assertThat(post.statusCode()).isIn(403, 405);
  }

  private static JsonNode find(JsonNode body, String name) {
    for (JsonNode p : body.path("plugins")) {
      if (p.path("name").asText().equals(name)) {
        return p;
      }
    }
    throw new AssertionError("no plugin " + name + " in " + body);
  }
}
