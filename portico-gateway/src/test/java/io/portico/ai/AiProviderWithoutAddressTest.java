package io.portico.ai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.testing.GatewayFixture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provider whose host name resolves to no address (offline, a typo in {@code base-url}) fails its
 * attempt at once: the next target answers, and with no target left the client gets the 503 {@code
 * all_targets_failed} naming the provider, never a request that hangs until the client gives up.
 * The attempt's call fails while it is being started, before it returns.
 */
class AiProviderWithoutAddressTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONSUMER_KEY = "team-a-key";
  private static final String ANSWER =
      "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-x\","
          + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},"
          + "\"finish_reason\":\"stop\"}],"
          + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}";

  @TempDir Path dir;
  private GatewayFixture gateway;
  private FakeProvider ok;

  @AfterEach
  void close() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    if (ok != null) {
      ok.close();
    }
  }

  @Test
  void answers503NamingTheProviderAtOnceAndFallsBackToTheNextTarget() throws Exception {
    Files.writeString(dir.resolve("key"), "sk-provider\n");
    ok = new FakeProvider((r, out) -> out.json(200, ANSWER));
    gateway =
        GatewayFixture.start(
            """
            ai:
              providers:
                - { name: nowhere, kind: openai-compatible, base-url: "http://no-such-provider.invalid/v1" }
                - { name: ok, kind: openai, base-url: "%s", keys: [ "file:%s" ] }
              models:
                - { name: only-nowhere, targets: [ { provider: nowhere } ] }
                - { name: nowhere-then-ok, targets: [ { provider: nowhere }, { provider: ok } ] }
            routes:
              - name: llm
                paths: [ /v1/ ]
                ai: {}
                plugins:
                  key-auth: { header-names: [ Authorization ] }
            consumers:
              - name: team-a
                credentials:
                  key-auth: { key: "%s" }
            """
                .formatted(ok.baseUrl("/v1"), dir.resolve("key"), sha256(CONSUMER_KEY)));

    HttpResponse<String> failed = chat("only-nowhere");
    HttpResponse<String> fellBack = chat("nowhere-then-ok");

    assertThat(failed.statusCode()).isEqualTo(503);
    JsonNode error = JSON.readTree(failed.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("all_targets_failed");
    assertThat(error.path("message").asText()).contains("nowhere: no address");
    assertThat(fellBack.statusCode()).isEqualTo(200);
    assertThat(
            JSON.readTree(fellBack.body())
                .path("choices")
                .get(0)
                .path("message")
                .path("content")
                .asText())
        .isEqualTo("Hi");
  }

  private HttpResponse<String> chat(String model) throws Exception {
    return gateway.send(
        HttpRequest.newBuilder(gateway.uri("/v1/chat/completions"))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + CONSUMER_KEY)
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"model\":\""
                        + model
                        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")));
  }

  private static String sha256(String key) throws Exception {
    byte[] d =
        java.security.MessageDigest.getInstance("SHA-256")
            .digest(key.getBytes(StandardCharsets.UTF_8));
    return "sha256:" + java.util.HexFormat.of().formatHex(d);
  }
}
