package io.portico.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.plugins.auth.key.KeyHash;
import io.portico.testing.GatewayFixture;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A problem in an object written through the admin API points at that object, whether the parser or
 * the snapshot compiler found it: its admin path as the source, the path within the object ({@code
 * $.keys[0]}), and the line and column of the key in the object's JSON, never the config file's
 * first line.
 */
class AdminObjectProblemPlacesTest {

  private static final String WRITER = "writer-token-places";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    Files.writeString(dir.resolve("not-a-ca.pem"), "not a certificate\n");
    Files.createDirectories(dir.resolve("store"));
    gw =
        GatewayFixture.start(
            """
            admin:
              address: 127.0.0.1:0
              store: %s
              tokens:
                - { name: ci, hash: "%s", role: read-write }
            routes:
              - name: hello
                paths: [ "/hello" ]
                plugins:
                  mock: { body: "hi" }
              - name: llm
                paths: [ "/v1/" ]
                ai: {}
            """
                .formatted(dir.resolve("store"), KeyHash.of(WRITER)));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  private static JsonNode onlyProblem(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonNode problems = JSON.readTree(r.body()).path("problems");
    assertThat(problems.size()).as(r.body()).isEqualTo(1);
    return problems.get(0);
  }

  @Test
  void aRouteWithoutADestinationIsToldHowToAddOneThroughTheApi() throws Exception {
    HttpResponse<String> r =
        gw.adminAs(WRITER, "POST", "/routes", "{\"name\": \"lost\", \"paths\": [\"/lost\"]}");

    JsonNode problem = onlyProblem(r);
    assertThat(problem.path("source").asText()).isEqualTo("/routes/lost");
    assertThat(problem.path("message").asText())
        .contains("a service created with PUT /services/NAME")
        .contains("\"service\": \"NAME\"")
        .contains("\"plugins\": {\"mock\"")
        .doesNotContain("services:")
        .doesNotContain("service:");
  }

  @Test
  void aParserProblemIsAtTheKeyInTheObject() throws Exception {
    String body = "{\"name\": \"users\", \"pahts\": [\"/users\"], \"service\": \"nowhere\"}";
    HttpResponse<String> r = gw.adminAs(WRITER, "POST", "/routes", body);

    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode problems = JSON.readTree(r.body()).path("problems");
    assertThat(problems).isNotEmpty();
    for (JsonNode p : problems) {
      assertThat(p.path("source").asText()).isEqualTo("/routes/users");
      assertThat(p.path("path").asText()).startsWith("$.");
      assertThat(p.path("line").asInt()).isEqualTo(1);
      assertThat(p.path("column").asInt()).isGreaterThan(1);
    }
  }

  @Test
  void anAiProvidersUnreadableKeyIsAtThatKeyOfTheProvider() throws Exception {
    String body =
        "{\"name\": \"local\", \"kind\": \"openai-compatible\","
            + " \"base-url\": \"http://127.0.0.1:9/v1\","
            + " \"keys\": [\"env:PORTICO_PLACES_TEST_UNSET_KEY\"]}";
    JsonNode p = onlyProblem(gw.adminAs(WRITER, "POST", "/ai-providers", body));

    assertThat(p.path("source").asText()).isEqualTo("/ai-providers/local");
    assertThat(p.path("path").asText()).isEqualTo("$.keys[0]");
    assertThat(p.path("line").asInt()).isEqualTo(1);
    assertThat(p.path("column").asInt())
        .isBetween(body.indexOf("\"keys\"") + 1, body.indexOf("\"env:") + 1);
    assertThat(p.path("message").asText())
        .contains("PORTICO_PLACES_TEST_UNSET_KEY is not set (expected: the key)");
  }

  @Test
  void aServicesCaBundleThatDoesNotLoadIsAtTheServicesTls() throws Exception {
    String body =
        "{\"name\": \"billing\", \"targets\": [\"127.0.0.1:9\"],"
            + " \"tls\": {\"ca\": \""
            + dir.resolve("not-a-ca.pem")
            + "\"}}";
    JsonNode p = onlyProblem(gw.adminAs(WRITER, "POST", "/services", body));

    assertThat(p.path("source").asText()).isEqualTo("/services/billing");
    assertThat(p.path("path").asText()).isEqualTo("$.tls");
    assertThat(p.path("line").asInt()).isEqualTo(1);
    assertThat(p.path("column").asInt())
        .isBetween(body.indexOf("\"tls\"") + 1, body.indexOf("\"ca\"") + 1);
    assertThat(p.path("message").asText()).contains("cannot load the CA bundle");
  }
}
