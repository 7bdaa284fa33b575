package io.portico.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.config.ConfigFiles;
import io.portico.config.ConfigResult;
import io.portico.plugin.PluginRegistry;
import io.portico.plugins.auth.key.KeyHash;
import io.portico.spi.config.Problem;
import io.portico.testing.GatewayFixture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AI gateway through the admin API, end to end: providers and models written as config objects
 * (their keys write-only, shown masked to every role and everywhere), a prompt route published and
 * tried, and the usage per consumer and model; the gateway in-process, a fake OpenAI-compatible
 * provider on a real socket.
 */
class AiAdminApiTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String WRITER = "ai-writer-token";
  private static final String READER = "ai-reader-token";
  private static final String SECRET = "sk-live-secret-9876wxyz";

  @TempDir Path storeDir;
  private FakeProvider provider;
  private GatewayFixture gw;

  @BeforeEach
  void start() throws Exception {
    provider =
        new FakeProvider(
            (r, out) ->
                out.json(
                    200,
                    "{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\","
                        + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                        + "\"content\":\"Bonjour\"},\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,"
                        + "\"total_tokens\":7}}"));
    gw = GatewayFixture.start(yaml());
  }

  private String yaml() {
    return """
        admin:
          address: 127.0.0.1:0
          store: %s
          tokens:
            - { name: script, hash: "%s", role: read-write }
            - { name: reader, hash: "%s", role: read-only }
        ai:
          providers:
            - { name: local, kind: openai-compatible, base-url: "%s" }
          models:
            - { name: small, targets: [ { provider: local } ] }
        routes:
          - name: llm
            paths: [ /v1/ ]
            ai: {}
        """
        .formatted(storeDir, KeyHash.of(WRITER), KeyHash.of(READER), provider.baseUrl("/v1"));
  }

  @AfterEach
  void stop() throws Exception {
    if (gw != null) {
      gw.close();
    }
    if (provider != null) {
      provider.close();
    }
  }

  private HttpResponse<String> admin(String method, String path, String body, String token)
      throws Exception {
    return gw.adminAs(token, method, path, body);
  }

  private HttpResponse<String> chat() throws Exception {
    return gw.send(
        HttpRequest.newBuilder(gw.uri("/v1/chat/completions"))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"model\":\"small\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")));
  }

  private String paid(String key) {
    return "{\"kind\":\"openai-compatible\",\"base-url\":\""
        + provider.baseUrl("/v1")
        + "\",\"api-key\":\""
        + key
        + "\"}";
  }

  @Test
  void providerKeyIsWriteOnlyMaskedForEveryRoleAndKeptWhenTheMaskIsSentBack() throws Exception {
    assertThat(admin("PUT", "/ai-providers/paid", paid(SECRET), WRITER).statusCode())
        .isEqualTo(200);
    assertThat(
            admin(
                    "PUT",
                    "/ai-models/small",
                    "{\"targets\":[{\"provider\":\"paid\"},{\"provider\":\"local\"}]}",
                    WRITER)
                .statusCode())
        .isEqualTo(200);

    for (String token : new String[] {WRITER, READER}) {
      HttpResponse<String> one = admin("GET", "/ai-providers/paid", null, token);
      assertThat(one.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(one.body()).path("api-key").asText()).isEqualTo("\u2026wxyz");
      for (String path :
          new String[] {
            "/ai-providers",
            "/ai-models",
            "/config",
            "/audit",
            "/config/versions",
            "/config/diff?from=1"
          }) {
        HttpResponse<String> r = admin("GET", path, null, token);
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        assertThat(r.body()).as(path).doesNotContain(SECRET).doesNotContain("9876");
      }
    }
    assertThat(admin("GET", "/config", null, READER).body()).contains("\"api-key\":\"\u2026wxyz\"");
    JsonNode models = JSON.readTree(admin("GET", "/ai-models", null, READER).body());
    assertThat(models.at("/ai-models/0/object/targets/0/provider").asText()).isEqualTo("paid");

    // The key reaches the provider, and only the provider.
    assertThat(chat().statusCode()).isEqualTo(200);
    assertThat(provider.last().header("Authorization")).isEqualTo("Bearer " + SECRET);

    // The form sent back with the masked key keeps the stored key.
    String masked =
        paid("\u2026wxyz")
            .replace("openai-compatible\"", "openai-compatible\",\"connect-timeout\":\"2s\"");
    assertThat(admin("PUT", "/ai-providers/paid", masked, WRITER).statusCode()).isEqualTo(200);
    assertThat(chat().statusCode()).isEqualTo(200);
    assertThat(provider.last().header("Authorization")).isEqualTo("Bearer " + SECRET);

    // A masked form that is not the stored key's is refused without echoing anything.
    HttpResponse<String> wrong = admin("PUT", "/ai-providers/paid", paid("\u2026abcd"), WRITER);
    assertThat(wrong.statusCode()).isEqualTo(400);
    assertThat(wrong.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonNode problem = JSON.readTree(wrong.body()).path("problems").get(0);
    assertThat(problem.path("source").asText()).isEqualTo("/ai-providers/paid");
    assertThat(problem.path("path").asText()).isEqualTo("$.api-key");

    // A dry run's diff shows the keys masked, the stored one and the new one.
    HttpResponse<String> dry =
        admin("PUT", "/ai-providers/paid?dry_run=true", paid("sk-next-key-0000abcd"), WRITER);
    assertThat(dry.statusCode()).as(dry.body()).isEqualTo(200);
    assertThat(dry.body()).doesNotContain(SECRET).doesNotContain("sk-next-key");
    HttpResponse<String> diff = admin("GET", "/config/diff?from=1", null, WRITER);
    assertThat(diff.body()).doesNotContain(SECRET).doesNotContain("9876");

    // A viewer cannot write.
    assertThat(admin("PUT", "/ai-providers/paid", paid("sk-other-key-1234"), READER).statusCode())
        .isEqualTo(403);
  }

  @Test
  void aRestartKeepsTheProviderAndItsKeyFromTheStore() throws Exception {
    assertThat(admin("PUT", "/ai-providers/paid", paid(SECRET), WRITER).statusCode())
        .isEqualTo(200);
    assertThat(
            admin("PUT", "/ai-models/small", "{\"targets\":[{\"provider\":\"paid\"}]}", WRITER)
                .statusCode())
        .isEqualTo(200);
    gw.close();
    gw = GatewayFixture.start(yaml());
    assertThat(chat().statusCode()).isEqualTo(200);
    assertThat(provider.last().header("Authorization")).isEqualTo("Bearer " + SECRET);
    assertThat(admin("GET", "/ai-providers/paid", null, WRITER).body())
        .contains("\"api-key\":\"\u2026wxyz\"")
        .doesNotContain(SECRET);
  }

  @Test
  void badProvidersAndModelsAreRefusedWithTheirJsonPaths() throws Exception {
    HttpResponse<String> kind =
        admin(
            "PUT",
            "/ai-providers/bad",
            "{\"kind\":\"nope\",\"api-key\":\"sk-1234567890\"}",
            WRITER);
    assertThat(kind.statusCode()).isEqualTo(400);
    assertThat(kind.body()).contains("\"path\":\"$.kind\"").doesNotContain("sk-1234567890");
    HttpResponse<String> target =
        admin("PUT", "/ai-models/big", "{\"targets\":[{\"provider\":\"nowhere\"}]}", WRITER);
    assertThat(target.statusCode()).isEqualTo(400);
    assertThat(target.body()).contains("\"path\":\"$.targets[0].provider\"");
    HttpResponse<String> used = admin("DELETE", "/ai-providers/local", null, WRITER);
    assertThat(used.statusCode()).isEqualTo(400);
    assertThat(admin("GET", "/ai-providers/local", null, READER).statusCode()).isEqualTo(200);
  }

  @Test
  void aPublishedPromptRouteIsTriedAndCalledAndItsTokensCounted() throws Exception {
    String route =
        "{\"paths\":[\"/api/translate\"],\"methods\":[\"POST\"],\"ai\":{\"prompt\":{"
            + "\"model\":\"small\",\"variables\":[{\"name\":\"text\",\"required\":true}],"
            + "\"system\":\"Translate into French.\",\"user\":\"{{text}}\"}}}";
    assertThat(admin("PUT", "/routes/translate", route, WRITER).statusCode()).isEqualTo(200);

    HttpResponse<String> tried =
        admin(
            "POST",
            "/ai/try",
            "{\"route\":\"translate\",\"variables\":{\"text\":\"Hello\"}}",
            WRITER);
    assertThat(tried.statusCode()).as(tried.body()).isEqualTo(200);
    JsonNode t = JSON.readTree(tried.body());
    assertThat(t.path("status").asInt()).isEqualTo(200);
    assertThat(t.path("body").asText()).isEqualTo("Bonjour");
    assertThat(provider.last().body()).contains("Hello").contains("Translate into French.");

    HttpResponse<String> called =
        gw.send(
            HttpRequest.newBuilder(gw.uri("/api/translate"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"Good night\"}")));
    assertThat(called.statusCode()).isEqualTo(200);
    assertThat(called.body()).isEqualTo("Bonjour");

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              JsonNode usage = JSON.readTree(admin("GET", "/ai/usage", null, READER).body());
              JsonNode row = usage.path("usage").get(0);
              assertThat(row.path("consumer").asText()).isEqualTo("(none)");
              assertThat(row.path("model").asText()).isEqualTo("small");
              assertThat(row.path("provider").asText()).isEqualTo("local");
              assertThat(row.path("calls").asLong()).isEqualTo(2);
              assertThat(row.path("prompt_tokens").asLong()).isEqualTo(10);
              assertThat(row.path("completion_tokens").asLong()).isEqualTo(4);
              assertThat(usage.at("/total/total_tokens").asLong()).isEqualTo(14);
            });
  }

  @Test
  void aKeyInClearIsRefusedInAFileWithoutBeingEchoed(@TempDir Path dir) {
    ConfigResult result =
        ConfigFiles.parse(
            """
            ai:
              providers:
                - { name: paid, kind: openai, api-key: "sk-file-secret-4321" }
              models:
                - { name: small, targets: [ { provider: paid } ] }
            """,
            "portico.yaml",
            dir,
            Map.of(),
            PluginRegistry.of(List.of()));
    assertThat(result.problems().list())
        .extracting(Problem::toString)
        .singleElement()
        .asString()
        .contains("ai.providers[0].api-key")
        .contains("api-key only through the admin API")
        .doesNotContain("sk-file-secret-4321");
  }

  @Test
  void aDraftPromptIsTriedBeforePublishingWithoutARouteAndItsMistakesAreProblems()
      throws Exception {
    String routesBefore = admin("GET", "/routes", null, READER).body();
    String prompt =
        "{\"model\":\"small\",\"variables\":[{\"name\":\"text\",\"required\":true}],"
            + "\"system\":\"Translate into French.\",\"user\":\"Say {{text}}\"}";

    HttpResponse<String> tried =
        admin(
            "POST",
            "/ai/try",
            "{\"prompt\":" + prompt + ",\"variables\":{\"text\":\"Hello\"}}",
            WRITER);
    assertThat(tried.statusCode()).as(tried.body()).isEqualTo(200);
    JsonNode t = JSON.readTree(tried.body());
    assertThat(t.path("status").asInt()).isEqualTo(200);
    assertThat(t.path("body").asText()).isEqualTo("Bonjour");
    assertThat(t.path("provider").asText()).isEqualTo("local");
    assertThat(t.path("route").isNull()).isTrue();
    assertThat(provider.last().body()).contains("Say Hello").contains("Translate into French.");
    // Nothing was written: the routes and the store's history are as they were.
    assertThat(admin("GET", "/routes", null, READER).body()).isEqualTo(routesBefore);
    assertThat(admin("GET", "/config/versions", null, READER).body()).doesNotContain("prompt-try");

    // The client's mistakes come back as the route's clients would get them.
    JsonNode missing =
        JSON.readTree(
            admin("POST", "/ai/try", "{\"prompt\":" + prompt + ",\"variables\":{}}", WRITER)
                .body());
    assertThat(missing.path("status").asInt()).isEqualTo(400);
    assertThat(missing.path("body").asText()).contains("missing_variable");

    // The draft's own mistakes are problems with their JSON paths, as publishing would report.
    HttpResponse<String> unknownVariable =
        admin(
            "POST",
            "/ai/try",
            "{\"prompt\":{\"model\":\"small\",\"user\":\"Say {{nope}}\"}}",
            WRITER);
    assertThat(unknownVariable.statusCode()).isEqualTo(400);
    assertThat(unknownVariable.body()).contains("$.ai.prompt.user").contains("nope");
    HttpResponse<String> unknownModel =
        admin("POST", "/ai/try", "{\"prompt\":{\"model\":\"big\",\"user\":\"Hi\"}}", WRITER);
    assertThat(unknownModel.statusCode()).isEqualTo(400);
    assertThat(unknownModel.body()).contains("unknown model \\\"big\\\"");
    HttpResponse<String> notAnObject = admin("POST", "/ai/try", "{\"prompt\":3}", WRITER);
    assertThat(notAnObject.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(notAnObject.body()).at("/problems/0/path").asText())
        .isEqualTo("$.prompt");
    assertThat(
            admin("POST", "/ai/try", "{\"prompt\":{\"model\":\"small\",\"user\":\"Hi\"}}", READER)
                .statusCode())
        .isEqualTo(403);
    assertThat(provider.received()).hasSize(1);
  }

  @Test
  void aTryWithBadInputIsAProblemWithItsJsonPath() throws Exception {
    String[][] cases = {
      {"[1]", "$"},
      {"{}", "$.route"},
      {"{\"route\":\"llm\"}", "$.route"},
      {"{\"route\":\"nothing\"}", "$.route"},
      {"{\"route\":\"llm\",\"variables\":3}", "$.variables"},
    };
    for (String[] c : cases) {
      HttpResponse<String> r = admin("POST", "/ai/try", c[0], WRITER);
      assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(JSON.readTree(r.body()).at("/problems/0/path").asText()).as(c[0]).isEqualTo(c[1]);
    }
    assertThat(admin("POST", "/ai/try", "{\"route\":\"llm\"}", READER).statusCode()).isEqualTo(403);
    assertThat(admin("GET", "/ai/try", null, WRITER).statusCode()).isEqualTo(405);
    assertThat(admin("POST", "/ai/usage", "{}", WRITER).statusCode()).isEqualTo(405);
  }
}
