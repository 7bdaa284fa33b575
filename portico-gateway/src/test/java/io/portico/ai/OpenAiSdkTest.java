package io.portico.ai;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import io.portico.testing.GatewayFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official OpenAI Java SDK pointed at Portico (base URL and a consumer key), with an Anthropic
 * provider behind it, so every answer the SDK parses was translated by the gateway.
 */
class OpenAiSdkTest {

  private static final String CONSUMER_KEY = "sdk-consumer-key";

  @TempDir Path dir;
  private FakeProvider anthropic;
  private GatewayFixture gateway;
  private OpenAIClient client;

  @BeforeEach
  void start() throws Exception {
    anthropic =
        new FakeProvider(
            (r, out) -> {
              if (r.body().contains("\"stream\":true")) {
                out.events();
                out.event(
                    "message_start",
                    "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\",\"model\":\"claude-x\",\"usage\":{\"input_tokens\":3}}}");
                out.event(
                    "content_block_delta",
                    "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}");
                out.event(
                    "content_block_delta",
                    "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"lo\"}}");
                out.event(
                    "message_delta",
                    "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":2}}");
                out.event("message_stop", "{\"type\":\"message_stop\"}");
                out.end();
              } else {
                out.json(
                    200,
                    "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-x\","
                        + "\"content\":[{\"type\":\"text\",\"text\":\"Hello from Claude\"}],"
                        + "\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":3,\"output_tokens\":4}}");
              }
            });
    Files.writeString(dir.resolve("anthropic.key"), "sk-ant-test");
    byte[] digest =
        MessageDigest.getInstance("SHA-256").digest(CONSUMER_KEY.getBytes(StandardCharsets.UTF_8));
    gateway =
        GatewayFixture.start(
            """
            ai:
              providers:
                - { name: claude, kind: anthropic, base-url: "%s", keys: [ "file:%s" ] }
              models:
                - { name: gpt-4o, targets: [ { provider: claude, model: claude-sonnet-4 } ] }
            routes:
              - name: llm
                paths: [ /v1/ ]
                ai: {}
                plugins:
                  key-auth: { header-names: [ Authorization ] }
              - name: limited
                paths: [ /limited/v1/ ]
                ai: {}
                plugins:
                  key-auth: { header-names: [ Authorization ] }
                  rate-limit: { limits: [ { requests: 1, window: 1m } ], key: consumer }
            consumers:
              - name: sdk
                credentials:
                  key-auth: { key: "sha256:%s" }
            """
                .formatted(
                    anthropic.baseUrl("/v1"),
                    dir.resolve("anthropic.key"),
                    HexFormat.of().formatHex(digest)));
    client =
        OpenAIOkHttpClient.builder()
            .apiKey(CONSUMER_KEY)
            .baseUrl("http://127.0.0.1:" + gateway.port() + "/v1")
            .maxRetries(0)
            .build();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    gateway.close();
    anthropic.close();
  }

  private static ChatCompletionCreateParams params(String model) {
    return ChatCompletionCreateParams.builder()
        .model(model)
        .addSystemMessage("Be brief.")
        .addUserMessage("Say hello")
        .build();
  }

  @Test
  void chatCompletionThroughPortico() {
    ChatCompletion completion = client.chat().completions().create(params("gpt-4o"));

    assertThat(completion.choices()).hasSize(1);
    assertThat(completion.choices().get(0).message().content()).hasValue("Hello from Claude");
    assertThat(completion.choices().get(0).finishReason())
        .isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    assertThat(completion.usage().orElseThrow().totalTokens()).isEqualTo(7);
    assertThat(anthropic.last().header("x-api-key")).isEqualTo("sk-ant-test");
  }

  @Test
  void streamedChatCompletionThroughPortico() {
    String text;
    try (StreamResponse<ChatCompletionChunk> stream =
        client.chat().completions().createStreaming(params("gpt-4o"))) {
      text =
          stream.stream()
              .flatMap(c -> c.choices().stream())
              .map(c -> c.delta().content().orElse(""))
              .collect(Collectors.joining());
    }

    assertThat(text).isEqualTo("Hello");
  }

  @Test
  void listsModelsThroughPortico() {
    List<Model> models = client.models().list().data();

    assertThat(models).extracting(Model::id).containsExactly("gpt-4o");
  }

  @Test
  void anUnknownModelIsABadRequestTheSdkUnderstands() {
    try {
      client.chat().completions().create(params("nope"));
      throw new AssertionError("expected a 400");
    } catch (BadRequestException e) {
      assertThat(e.statusCode()).isEqualTo(400);
      assertThat(e.code()).hasValue("model_not_found");
    }
  }

  @Test
  void aConsumerKeyRefusedByKeyAuthIsAnOpenAiErrorTheSdkUnderstands() {
    OpenAIClient stranger =
        OpenAIOkHttpClient.builder()
            .apiKey("not-a-consumer-key")
            .baseUrl("http://127.0.0.1:" + gateway.port() + "/v1")
            .maxRetries(0)
            .build();
    try {
      stranger.chat().completions().create(params("gpt-4o"));
      throw new AssertionError("expected a 401");
    } catch (UnauthorizedException e) {
      assertThat(e.statusCode()).isEqualTo(401);
      assertThat(e.code()).hasValue("authentication_required");
      assertThat(e.type()).hasValue("invalid_request_error");
      assertThat(e.getMessage()).contains("401");
    } finally {
      stranger.close();
    }
  }

  @Test
  void aRateLimitRefusalIsAnOpenAiRateLimitErrorWithRetryAfter() {
    OpenAIClient limited =
        OpenAIOkHttpClient.builder()
            .apiKey(CONSUMER_KEY)
            .baseUrl("http://127.0.0.1:" + gateway.port() + "/limited/v1")
            .maxRetries(0)
            .build();
    try {
      limited.chat().completions().create(params("gpt-4o"));
      limited.chat().completions().create(params("gpt-4o"));
      throw new AssertionError("expected a 429");
    } catch (RateLimitException e) {
      assertThat(e.statusCode()).isEqualTo(429);
      assertThat(e.code()).isPresent();
      assertThat(e.headers().values("Retry-After")).isNotEmpty();
    } finally {
      limited.close();
    }
  }
}
