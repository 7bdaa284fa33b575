package io.portico.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.observe.ExchangeRecord;
import io.portico.testing.GatewayFixture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Usage of streams answered by Anthropic and Gemini: the exact counts of their usage events, as
 * OpenAI's last chunk when the client asked for {@code stream_options.include_usage} (and not
 * otherwise), and in the call's record, not estimated.
 */
class ProviderStreamUsageTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private FakeProvider claude;
  private FakeProvider gemini;
  private GatewayFixture gateway;

  @BeforeEach
  void start() throws Exception {
    claude =
        new FakeProvider(
            (r, out) -> {
              out.events();
              out.event(
                  "message_start",
                  "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude-x\","
                      + "\"usage\":{\"input_tokens\":17,\"output_tokens\":1}}}");
              out.event(
                  "content_block_delta",
                  "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
                      + "\"text\":\"Hi there\"}}");
              out.event(
                  "message_delta",
                  "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
                      + "\"usage\":{\"output_tokens\":9}}");
              out.event("message_stop", "{\"type\":\"message_stop\"}");
              out.end();
            });
    gemini =
        new FakeProvider(
            (r, out) -> {
              String candidate =
                  "{\"responseId\":\"g1\",\"candidates\":[{\"content\":{\"role\":\"model\","
                      + "\"parts\":[{\"text\":\"%s\"}]}%s}]%s}";
              out.events();
              out.event(
                  null,
                  candidate.formatted(
                      "Hel",
                      "",
                      ",\"usageMetadata\":{\"promptTokenCount\":13,\"candidatesTokenCount\":1}"));
              out.event(
                  null,
                  candidate.formatted(
                      "lo",
                      ",\"finishReason\":\"STOP\"",
                      ",\"usageMetadata\":{\"promptTokenCount\":13,\"candidatesTokenCount\":7,"
                          + "\"totalTokenCount\":20}"));
              out.end();
            });
    gateway =
        GatewayFixture.start(
            """
            ai:
              providers:
                - { name: claude, kind: anthropic, base-url: "%s" }
                - { name: google, kind: gemini, base-url: "%s" }
              models:
                - { name: sonnet, targets: [ { provider: claude, model: claude-x } ] }
                - { name: flash, targets: [ { provider: google, model: gemini-x } ] }
            routes:
              - { name: llm, paths: [ /v1/ ], ai: {} }
            """
                .formatted(claude.baseUrl("/v1"), gemini.baseUrl("/v1beta")));
  }

  @AfterEach
  void stop() throws Exception {
    gateway.close();
    claude.close();
    gemini.close();
  }

  private List<JsonNode> stream(String model, boolean includeUsage) throws Exception {
    HttpResponse<String> r =
        gateway.send(
            HttpRequest.newBuilder(gateway.uri("/v1/chat/completions"))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\""
                            + model
                            + "\",\"stream\":true,"
                            + (includeUsage ? "\"stream_options\":{\"include_usage\":true}," : "")
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")));
    assertThat(r.statusCode()).isEqualTo(200);
    List<JsonNode> chunks = new ArrayList<>();
    for (String line : r.body().split("\n")) {
      if (line.startsWith("data: {")) {
        chunks.add(JSON.readTree(line.substring(6)));
      }
    }
    assertThat(r.body()).endsWith("data: [DONE]\n\n");
    return chunks;
  }

  private ExchangeRecord.Ai lastAi(int count) {
    await().atMost(Duration.ofSeconds(5)).until(() -> gateway.records().size() >= count);
    return gateway.records().get(count - 1).ai();
  }

  @Test
  void anAnthropicStreamEndsWithItsExactUsageWhenTheClientAsks() throws Exception {
    List<JsonNode> chunks = stream("sonnet", true);

    JsonNode last = chunks.get(chunks.size() - 1);
    assertThat(last.path("choices").isEmpty()).isTrue();
    assertThat(last.at("/usage/prompt_tokens").asLong()).isEqualTo(17);
    assertThat(last.at("/usage/completion_tokens").asLong()).isEqualTo(9);
    assertThat(last.at("/usage/total_tokens").asLong()).isEqualTo(26);
    ExchangeRecord.Ai ai = lastAi(1);
    assertThat(ai.totalTokens()).isEqualTo(26);
    assertThat(ai.estimated()).isFalse();
  }

  @Test
  void aGeminiStreamEndsWithItsExactUsageWhenTheClientAsks() throws Exception {
    List<JsonNode> chunks = stream("flash", true);

    JsonNode last = chunks.get(chunks.size() - 1);
    assertThat(last.path("choices").isEmpty()).isTrue();
    assertThat(last.at("/usage/prompt_tokens").asLong()).isEqualTo(13);
    assertThat(last.at("/usage/completion_tokens").asLong()).isEqualTo(7);
    assertThat(last.at("/usage/total_tokens").asLong()).isEqualTo(20);
    ExchangeRecord.Ai ai = lastAi(1);
    assertThat(ai.promptTokens()).isEqualTo(13);
    assertThat(ai.completionTokens()).isEqualTo(7);
    assertThat(ai.estimated()).isFalse();
  }

  @Test
  void noUsageChunkWhenTheClientDidNotAsk() throws Exception {
    List<JsonNode> anthropic = stream("sonnet", false);
    List<JsonNode> google = stream("flash", false);

    assertThat(anthropic).noneMatch(c -> c.has("usage"));
    assertThat(google).noneMatch(c -> c.path("usage").isObject());
    assertThat(lastAi(1).totalTokens()).isEqualTo(26);
    assertThat(lastAi(2).totalTokens()).isEqualTo(20);
  }
}
