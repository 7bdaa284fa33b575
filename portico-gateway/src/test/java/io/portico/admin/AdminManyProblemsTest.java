package io.portico.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portico.plugins.auth.key.KeyHash;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerTest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write whose object has 30,000 unknown keys (plugin names, or keys of the route itself) answers
 * 400 with the first hundred problems and one that counts the rest, whichever endpoint took it
 * ({@code POST /routes}, {@code PUT /routes/NAME}, {@code POST /config/changes}); the detail says
 * how many there are, and the gateway's config is unchanged.
 */
class AdminManyProblemsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String WRITER = "writer-token-1";
  private static final int KEYS = 30_000;

  @TempDir Path storeDir;
  @RegisterExtension final OriginPerTest env = new OriginPerTest();
  private GatewayFixture gw;

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
            services:
              - name: backend
                targets: [ "%s" ]
            """
                .formatted(storeDir, KeyHash.of(WRITER), env.origin().authority()));
  }

  private HttpResponse<String> call(String method, String path, String body) throws Exception {
    return gw.adminCall(method, path, body, "Authorization", "Bearer " + WRITER);
  }

  private static ObjectNode route(boolean unknownPlugins) {
    ObjectNode route = JSON.createObjectNode();
    route.put("name", "big");
    route.putArray("paths").add("/big");
    route.put("service", "backend");
    ObjectNode where = unknownPlugins ? route.putObject("plugins") : route;
    for (int i = 0; i < KEYS; i++) {
      if (unknownPlugins) {
        where.putObject("no-such-" + i);
      } else {
        where.put("x" + i, 1);
      }
    }
    return route;
  }

  private static void assertCapped(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("problems").size()).isEqualTo(101);
    assertThat(body.get("problems").get(100).get("message").asText())
        .startsWith("and " + (KEYS - 100) + " more problems, not listed");
    assertThat(body.get("detail").asText()).contains("has " + KEYS + " problems");
  }

  @Test
  void postWithThirtyThousandUnknownPluginsListsAHundredProblemsAndCountsTheRest()
      throws Exception {
    assertCapped(call("POST", "/routes", route(true).toString()));
    assertThat(call("GET", "/routes/big", null).statusCode()).isEqualTo(404);
  }

  @Test
  void putWithThirtyThousandUnknownKeysListsAHundredProblemsAndCountsTheRest() throws Exception {
    assertCapped(call("PUT", "/routes/big", route(false).toString()));
  }

  @Test
  void aChangeSetWithThirtyThousandUnknownKeysListsAHundredProblemsAndCountsTheRest()
      throws Exception {
    ObjectNode changes = JSON.createObjectNode();
    ObjectNode change = changes.putArray("changes").addObject();
    change.put("op", "put");
    change.put("kind", "routes");
    change.put("name", "big");
    ObjectNode object = route(false);
    object.remove("name");
    change.set("object", object);
    assertCapped(call("POST", "/config/changes", changes.toString()));
  }

  @Test
  void aWriteOfNinetyThousandUnknownKeysIsAHundredProblemsAndACount() throws Exception {
    ObjectNode route = JSON.createObjectNode();
    route.put("name", "huge");
    route.putArray("paths").add("/huge");
    route.put("service", "backend");
    int keys = 90_000;
    for (int i = 0; i < keys; i++) {
      route.put("x" + i, 1);
    }
    HttpResponse<String> r = call("POST", "/routes", route.toString());

    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("problems").size()).isEqualTo(101);
    assertThat(body.get("problems").get(100).get("message").asText())
        .isEqualTo("and " + (keys - 100) + " more problems, not listed (the first 100 are)");
    assertThat(body.get("detail").asText()).contains("has " + keys + " problems");
    assertThat(call("GET", "/routes/huge", null).statusCode()).isEqualTo(404);
  }

  @Test
  void aWriteWithAFewProblemsListsThemAll() throws Exception {
    HttpResponse<String> r =
        call(
            "POST",
            "/routes",
            "{\"name\":\"small\",\"paths\":[\"/s\"],\"service\":\"backend\",\"a\":1,\"b\":2}");
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("problems").size()).isEqualTo(2);
    assertThat(body.get("detail").asText()).contains("has 2 problems");
  }
}
