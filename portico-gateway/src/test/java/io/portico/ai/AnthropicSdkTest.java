package io.portico.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.NotFoundException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.ErrorType;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolUseBlock;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.testing.GatewayFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Anthropic Java SDK pointed at Portico's Messages API front, with an
 * OpenAI-compatible provider and an Anthropic provider behind it: every message, event and error
 * the SDK parses was made by the gateway from another provider's format, or passed through its
 * translation both ways.
 */
class AnthropicSdkTest {

  private static final String CONSUMER_KEY = "anthropic-sdk-consumer-key";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private FakeProvider openai;
  private FakeProvider claude;
  private FakeProvider cut;
  private GatewayFixture gateway;
  private AnthropicClient client;

  @BeforeEach
  void start() throws Exception {
    openai = new FakeProvider(AnthropicSdkTest::openAiAnswer);
    claude = new FakeProvider(AnthropicSdkTest::anthropicAnswer);
    cut =
        new FakeProvider(
            (r, out) -> {
              out.events();
              out.event(
                  null,
                  "{\"id\":\"chatcmpl-3\",\"object\":\"chat.completion.chunk\",\"model\":\"m\","
                      + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}");
              // the connection closes mid-answer
            });
    Files.writeString(dir.resolve("provider.key"), "sk-provider");
    byte[] digest =
        MessageDigest.getInstance("SHA-256").digest(CONSUMER_KEY.getBytes(StandardCharsets.UTF_8));
    gateway =
        GatewayFixture.start(
            """
            ai:
              providers:
                - { name: oai, kind: openai-compatible, base-url: "%s", keys: [ "file:%s" ] }
                - { name: claude, kind: anthropic, base-url: "%s", keys: [ "file:%s" ] }
                - { name: cut, kind: openai-compatible, base-url: "%s" }
                - { name: down, kind: openai-compatible, base-url: "http://127.0.0.1:1" }
              models:
                - { name: gpt-4o, targets: [ { provider: oai, model: gpt-4o } ] }
                - { name: claude-sonnet, targets: [ { provider: claude, model: claude-sonnet-4 } ] }
                - { name: cut-short, targets: [ { provider: cut } ] }
                - { name: unreachable, targets: [ { provider: down } ] }
            routes:
              - name: llm
                paths: [ /v1/ ]
                ai: {}
                plugins:
                  key-auth: { header-names: [ x-api-key, Authorization ] }
              - name: limited
                paths: [ /limited/v1/ ]
                ai: {}
                plugins:
                  key-auth: { header-names: [ x-api-key, Authorization ] }
                  rate-limit: { limits: [ { requests: 1, window: 1m } ], key: consumer }
            consumers:
              - name: sdk
                credentials:
                  key-auth: { key: "sha256:%s" }
            """
                .formatted(
                    openai.baseUrl("/v1"),
                    dir.resolve("provider.key"),
                    claude.baseUrl("/v1"),
                    dir.resolve("provider.key"),
                    cut.baseUrl("/v1"),
                    HexFormat.of().formatHex(digest)));
    client = client("", CONSUMER_KEY);
  }

  private AnthropicClient client(String prefix, String key) {
    return AnthropicOkHttpClient.builder()
        .apiKey(key)
        .baseUrl("http://127.0.0.1:" + gateway.port() + prefix)
        .maxRetries(0)
        .build();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    gateway.close();
    openai.close();
    claude.close();
    cut.close();
  }

  /** An OpenAI-compatible provider: a tool call when tools are offered, else "Hello". */
  private static void openAiAnswer(FakeProvider.Received r, FakeProvider.Responder out)
      throws Exception {
    JsonNode body = JSON.readTree(r.body());
    boolean tools = body.has("tools");
    if (body.path("stream").asBoolean()) {
      out.events();
      String head =
          "{\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",";
      out.event(null, head + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}");
      if (tools) {
        out.event(
            null,
            head
                + "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\","
                + "\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"{\\\"city\\\":\"}}]}}]}");
        out.event(
            null,
            head
                + "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
                + "\"function\":{\"arguments\":\"\\\"Oslo\\\"}\"}}]}}]}");
        out.event(
            null,
            head + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}");
      } else {
        out.event(null, head + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}");
        out.event(null, head + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"}}]}");
        out.event(
            null, head + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}");
      }
      out.event(
          null,
          head
              + "\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":2,\"total_tokens\":13}}");
      out.event(null, "[DONE]");
      out.end();
      return;
    }
    String message =
        tools
            ? "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"weather\",\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\"}}]}"
            : "{\"role\":\"assistant\",\"content\":\"Hello from GPT\"}";
    out.json(
        200,
        "{\"id\":\"chatcmpl-7\",\"object\":\"chat.completion\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,"
            + "\"message\":"
            + message
            + ",\"finish_reason\":\""
            + (tools ? "tool_calls" : "stop")
            + "\"}],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":4,\"total_tokens\":16}}");
  }

  /** An Anthropic provider, streaming. */
  private static void anthropicAnswer(FakeProvider.Received r, FakeProvider.Responder out)
      throws Exception {
    out.events();
    out.event(
        "message_start",
        "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\",\"model\":\"claude-sonnet-4\",\"usage\":{\"input_tokens\":21}}}");
    out.event(
        "content_block_start",
        "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
    out.event(
        "content_block_delta",
        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Bonjour\"}}");
    out.event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
    out.event(
        "message_delta",
        "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":5}}");
    out.event("message_stop", "{\"type\":\"message_stop\"}");
    out.end();
  }

  private static MessageCreateParams params(String model) {
    return MessageCreateParams.builder()
        .model(model)
        .maxTokens(100)
        .system("Be brief.")
        .addUserMessage("Say hello")
        .build();
  }

  private static MessageCreateParams toolParams() {
    return MessageCreateParams.builder()
        .model("gpt-4o")
        .maxTokens(100)
        .addUserMessage("Weather in Oslo?")
        .addTool(
            Tool.builder()
                .name("weather")
                .description("The weather in a city")
                .inputSchema(
                    Tool.InputSchema.builder()
                        .properties(
                            Tool.InputSchema.Properties.builder()
                                .putAdditionalProperty(
                                    "city",
                                    com.anthropic.core.JsonValue.from(Map.of("type", "string")))
                                .build())
                        .build())
                .build())
        .build();
  }

  @Test
  void aMessageAnsweredByAnOpenAiProviderComesInAnthropicsShape() throws Exception {
    Message message = client.messages().create(params("gpt-4o"));

    assertThat(message.content()).hasSize(1);
    assertThat(message.content().get(0).text().orElseThrow().text()).isEqualTo("Hello from GPT");
    assertThat(message.stopReason()).hasValue(StopReason.END_TURN);
    assertThat(message.usage().inputTokens()).isEqualTo(12);
    assertThat(message.usage().outputTokens()).isEqualTo(4);
    assertThat(message.id()).startsWith("msg_");

    JsonNode sent = JSON.readTree(openai.last().body());
    assertThat(openai.last().uri()).isEqualTo("/v1/chat/completions");
    assertThat(openai.last().header("authorization")).isEqualTo("Bearer sk-provider");
    assertThat(sent.at("/messages/0/role").asText()).isEqualTo("system");
    assertThat(sent.at("/messages/0/content").asText()).isEqualTo("Be brief.");
    assertThat(sent.at("/messages/1/role").asText()).isEqualTo("user");
    assertThat(sent.path("max_tokens").asInt()).isEqualTo(100);
  }

  @Test
  void aStreamedMessageComesAsAnthropicsEventsWithTheProvidersUsage() {
    MessageAccumulator acc = MessageAccumulator.create();
    List<RawMessageStreamEvent> events;
    try (StreamResponse<RawMessageStreamEvent> stream =
        client.messages().createStreaming(params("gpt-4o"))) {
      events = stream.stream().peek(acc::accumulate).toList();
    }
    Message message = acc.message();

    assertThat(events.get(0).isMessageStart()).isTrue();
    assertThat(events.get(events.size() - 1).isMessageStop()).isTrue();
    assertThat(events).anyMatch(RawMessageStreamEvent::isContentBlockStart);
    assertThat(events).anyMatch(RawMessageStreamEvent::isContentBlockStop);
    assertThat(message.content().get(0).text().orElseThrow().text()).isEqualTo("Hello");
    assertThat(message.stopReason()).hasValue(StopReason.MAX_TOKENS);
    assertThat(message.usage().outputTokens()).isEqualTo(2);
  }

  @Test
  void aToolCallBecomesAToolUseBlockWholeAndStreamed() {
    Message whole = client.messages().create(toolParams());
    ToolUseBlock use = whole.content().get(0).toolUse().orElseThrow();
    assertThat(use.name()).isEqualTo("weather");
    assertThat(use._input().toString()).contains("Oslo");
    assertThat(whole.stopReason()).hasValue(StopReason.TOOL_USE);

    MessageAccumulator acc = MessageAccumulator.create();
    try (StreamResponse<RawMessageStreamEvent> stream =
        client.messages().createStreaming(toolParams())) {
      stream.stream().forEach(acc::accumulate);
    }
    ContentBlock streamed = acc.message().content().get(0);
    assertThat(streamed.toolUse().orElseThrow().name()).isEqualTo("weather");
    assertThat(streamed.toolUse().orElseThrow()._input().toString()).contains("Oslo");
    assertThat(acc.message().stopReason()).hasValue(StopReason.TOOL_USE);
  }

  @Test
  void anAnthropicProviderStreamsThroughTheAnthropicFront() {
    MessageAccumulator acc = MessageAccumulator.create();
    try (StreamResponse<RawMessageStreamEvent> stream =
        client.messages().createStreaming(params("claude-sonnet"))) {
      stream.stream().forEach(acc::accumulate);
    }

    assertThat(acc.message().content().get(0).text().orElseThrow().text()).isEqualTo("Bonjour");
    assertThat(acc.message().usage().outputTokens()).isEqualTo(5);
    assertThat(acc.message().usage().inputTokens()).isEqualTo(21);
    assertThat(claude.last().header("x-api-key")).isEqualTo("sk-provider");
  }

  @Test
  void countsTokensWithTheTokenizer() {
    long tokens =
        client
            .messages()
            .countTokens(
                MessageCountTokensParams.builder()
                    .model("gpt-4o")
                    .addUserMessage("How many tokens is this?")
                    .build())
            .inputTokens();

    assertThat(tokens).isPositive();
    assertThat(openai.received()).isEmpty();
  }

  @Test
  void anUnknownModelIsAnAnthropicNotFoundError() {
    assertThatThrownBy(() -> client.messages().create(params("nope")))
        .isInstanceOfSatisfying(
            NotFoundException.class, e -> assertThat(e.type()).hasValue(ErrorType.NOT_FOUND_ERROR));
  }

  @Test
  void aKeyRefusedByKeyAuthIsAnAnthropicAuthenticationError() {
    AnthropicClient stranger = client("", "not-a-consumer-key");
    try {
      assertThatThrownBy(() -> stranger.messages().create(params("gpt-4o")))
          .isInstanceOfSatisfying(
              UnauthorizedException.class,
              e -> {
                assertThat(e.statusCode()).isEqualTo(401);
                assertThat(e.type()).hasValue(ErrorType.AUTHENTICATION_ERROR);
              });
    } finally {
      stranger.close();
    }
    assertThat(openai.received()).isEmpty();
  }

  @Test
  void aRateLimitRefusalIsAnAnthropicRateLimitErrorWithRetryAfter() {
    AnthropicClient limited = client("/limited", CONSUMER_KEY);
    try {
      limited.messages().create(params("gpt-4o"));
      assertThatThrownBy(() -> limited.messages().create(params("gpt-4o")))
          .isInstanceOfSatisfying(
              RateLimitException.class,
              e -> {
                assertThat(e.type()).hasValue(ErrorType.RATE_LIMIT_ERROR);
                assertThat(e.headers().values("Retry-After")).isNotEmpty();
              });
    } finally {
      limited.close();
    }
  }

  private java.net.http.HttpResponse<String> post(String body) throws Exception {
    return java.net.http.HttpClient.newHttpClient()
        .send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + gateway.port() + "/v1/messages"))
                .header("x-api-key", CONSUMER_KEY)
                .header("content-type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aStreamCutByTheProviderEndsWithAnAnthropicErrorEvent() throws Exception {
    java.net.http.HttpResponse<String> r =
        post(
            "{\"model\":\"cut-short\",\"max_tokens\":10,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .startsWith("event: message_start\n")
        .contains("\"text\":\"Hel\"")
        .contains("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\"")
        .doesNotContain("message_stop");
  }

  @Test
  void everyTargetDownIsAnAnthropicOverloadedError() throws Exception {
    java.net.http.HttpResponse<String> r =
        post(
            "{\"model\":\"unreachable\",\"max_tokens\":10,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

    assertThat(r.statusCode()).isEqualTo(503);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.at("/error/type").asText()).isEqualTo("overloaded_error");
    assertThat(body.at("/error/message").asText()).contains("down");
  }

  @Test
  void aMissingMaxTokensIsAnAnthropicInvalidRequest() throws Exception {
    java.net.http.HttpResponse<String> r =
        post("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("type").asText()).isEqualTo("error");
    assertThat(body.at("/error/type").asText()).isEqualTo("invalid_request_error");
    assertThat(body.at("/error/message").asText()).contains("max_tokens");
  }
}
