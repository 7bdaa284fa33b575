package io.portico.ai;

import static io.portico.ai.AiCaller.dataLines;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The AI gateway speaking each provider's wire format: Anthropic messages and stream events,
 * Gemini, and Azure deployments with their API version and key header.
 */
class AiProviderTranslationTest extends AiGatewayCase {

  // ---------------------------------------------------------------- Anthropic, Gemini, Azure

  @Test
  void translatesToAnthropicMessagesAndBack() throws Exception {
    FakeProvider anthropic =
        provider(
            (r, out) ->
                out.json(
                    200,
                    """
                    {"id":"msg_1","type":"message","role":"assistant","model":"claude-x",
                     "content":[{"type":"text","text":"Let me check."},
                                {"type":"tool_use","id":"toolu_1","name":"weather","input":{"city":"Oslo"}}],
                     "stop_reason":"tool_use","usage":{"input_tokens":20,"output_tokens":7}}
                    """));
    start(
        """
        ai:
          providers:
            - { name: claude, kind: anthropic, base-url: "%s", keys: [ %s ] }
          models:
            - { name: smart, targets: [ { provider: claude, model: claude-sonnet-4 } ] }
        """
            .formatted(anthropic.baseUrl("/v1"), key("key1")));
    String request =
        """
        {"model":"smart","max_tokens":100,"messages":[
          {"role":"system","content":"Be brief."},
          {"role":"user","content":"Weather in Oslo?"},
          {"role":"assistant","content":null,"tool_calls":[{"id":"toolu_0","type":"function",
            "function":{"name":"weather","arguments":"{\\"city\\":\\"Oslo\\"}"}}]},
          {"role":"tool","tool_call_id":"toolu_0","content":"12C"}],
         "tools":[{"type":"function","function":{"name":"weather","parameters":{"type":"object"}}}],
         "tool_choice":"required","stop":"END"}
        """;

    HttpResponse<String> r = post("/v1/chat/completions", request);

    assertThat(r.statusCode()).isEqualTo(200);
    FakeProvider.Received got = anthropic.last();
    assertThat(got.uri()).isEqualTo("/v1/messages");
    assertThat(got.header("x-api-key")).isEqualTo("sk-provider-one");
    assertThat(got.header("anthropic-version")).isEqualTo("2023-06-01");
    assertThat(got.header("authorization")).isNull();
    JsonNode sent = json(got.body());
    assertThat(sent.path("system").asText()).isEqualTo("Be brief.");
    assertThat(sent.path("model").asText()).isEqualTo("claude-sonnet-4");
    assertThat(sent.path("max_tokens").asInt()).isEqualTo(100);
    assertThat(sent.at("/messages/1/content/0/type").asText()).isEqualTo("tool_use");
    assertThat(sent.at("/messages/1/content/0/input/city").asText()).isEqualTo("Oslo");
    assertThat(sent.at("/messages/2/content/0/type").asText()).isEqualTo("tool_result");
    assertThat(sent.at("/tools/0/input_schema/type").asText()).isEqualTo("object");
    assertThat(sent.at("/tool_choice/type").asText()).isEqualTo("any");
    assertThat(sent.at("/stop_sequences/0").asText()).isEqualTo("END");
    JsonNode answer = json(r.body());
    assertThat(answer.at("/choices/0/message/content").asText()).isEqualTo("Let me check.");
    assertThat(answer.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
    assertThat(answer.at("/choices/0/message/tool_calls/0/function/name").asText())
        .isEqualTo("weather");
    assertThat(json(answer.at("/choices/0/message/tool_calls/0/function/arguments").asText()))
        .isEqualTo(json("{\"city\":\"Oslo\"}"));
    assertThat(answer.at("/usage/total_tokens").asInt()).isEqualTo(27);
  }

  @Test
  void passesTopKThinkingAndTextDocumentsFromTheMessagesFrontToProvidersThatTakeThem()
      throws Exception {
    FakeProvider anthropic =
        provider(
            (r, out) ->
                out.json(
                    200,
                    "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","
                        + "\"model\":\"claude-x\",\"content\":[{\"type\":\"text\",\"text\":\"Ok\"}],"
                        + "\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}"));
    FakeProvider gemini =
        provider(
            (r, out) ->
                out.json(
                    200,
                    "{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Ok\"}]},"
                        + "\"finishReason\":\"STOP\"}]}"));
    FakeProvider openai = provider((r, out) -> out.json(200, OPENAI_ANSWER));
    start(
        """
        ai:
          providers:
            - { name: claude, kind: anthropic, base-url: "%s", keys: [ %s ] }
            - { name: google, kind: gemini, base-url: "%s", keys: [ %s ] }
            - { name: local, kind: openai-compatible, base-url: "%s" }
          models:
            - { name: smart, targets: [ { provider: claude, model: claude-sonnet-4 } ] }
            - { name: flash, targets: [ { provider: google, model: gemini-2.5-flash } ] }
            - { name: open, targets: [ { provider: local, model: llama } ] }
        """
            .formatted(
                anthropic.baseUrl("/v1"),
                key("key1"),
                gemini.baseUrl("/v1beta"),
                key("key1"),
                openai.baseUrl("/v1")));
    String request =
        """
        {"model":"%s","max_tokens":2000,"top_k":40,
         "thinking":{"type":"enabled","budget_tokens":1024},
         "messages":[
          {"role":"user","content":[
            {"type":"document","source":{"type":"text","media_type":"text/plain","data":"Oslo is cold."}},
            {"type":"document","source":{"type":"content","content":[{"type":"text","text":"Bergen is wet."}]}},
            {"type":"text","text":"Weather?"}]},
          {"role":"assistant","content":[
            {"type":"thinking","thinking":"The documents say it.","signature":"sig-1"},
            {"type":"redacted_thinking","data":"opaque"},
            {"type":"text","text":"Cold and wet."}]},
          {"role":"user","content":"Thanks"}]}
        """;

    HttpResponse<String> toClaude = post("/v1/messages", request.formatted("smart"));
    HttpResponse<String> toGemini = post("/v1/messages", request.formatted("flash"));
    HttpResponse<String> toOpenAi = post("/v1/messages", request.formatted("open"));

    assertThat(toClaude.statusCode()).isEqualTo(200);
    assertThat(toGemini.statusCode()).isEqualTo(200);
    assertThat(toOpenAi.statusCode()).isEqualTo(200);
    JsonNode claude = json(anthropic.last().body());
    assertThat(claude.path("top_k").asInt()).isEqualTo(40);
    assertThat(claude.path("thinking"))
        .isEqualTo(json("{\"type\":\"enabled\",\"budget_tokens\":1024}"));
    assertThat(claude.at("/messages/0/content/0"))
        .isEqualTo(json("{\"type\":\"text\",\"text\":\"Oslo is cold.\"}"));
    assertThat(claude.at("/messages/0/content/1/text").asText()).isEqualTo("Bergen is wet.");
    assertThat(claude.at("/messages/1/content"))
        .isEqualTo(
            json(
                "[{\"type\":\"thinking\",\"thinking\":\"The documents say it.\",\"signature\":\"sig-1\"},"
                    + "{\"type\":\"redacted_thinking\",\"data\":\"opaque\"},"
                    + "{\"type\":\"text\",\"text\":\"Cold and wet.\"}]"));
    JsonNode google = json(gemini.last().body());
    assertThat(google.at("/generationConfig/topK").asInt()).isEqualTo(40);
    assertThat(google.toString())
        .contains("Oslo is cold.", "Bergen is wet.", "Cold and wet.")
        .doesNotContain("thinking", "sig-1", "opaque");
    JsonNode open = json(openai.last().body());
    assertThat(open.has("top_k")).isFalse();
    assertThat(open.has("thinking")).isFalse();
    assertThat(open.at("/messages/0/content/0/text").asText()).isEqualTo("Oslo is cold.");
    assertThat(open.at("/messages/1/content").asText()).isEqualTo("Cold and wet.");
    assertThat(open.toString()).doesNotContain("thinking", "sig-1", "opaque");

    HttpResponse<String> pdf =
        post(
            "/v1/messages",
            "{\"model\":\"smart\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":["
                + "{\"type\":\"document\",\"source\":{\"type\":\"base64\","
                + "\"media_type\":\"application/pdf\",\"data\":\"JVBER\"}}]}]}");
    assertThat(pdf.statusCode()).isEqualTo(400);
    assertThat(json(pdf.body()).at("/error/type").asText()).isEqualTo("invalid_request_error");
  }

  @Test
  void translatesAnthropicStreamEventsToOpenAiChunks() throws Exception {
    FakeProvider anthropic =
        provider(
            (r, out) -> {
              out.events();
              out.event(
                  "message_start",
                  "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude-x\","
                      + "\"usage\":{\"input_tokens\":5}}}");
              out.event("ping", "{\"type\":\"ping\"}");
              out.event(
                  "content_block_start",
                  "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
              out.event(
                  "content_block_delta",
                  "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}");
              out.event(
                  "content_block_start",
                  "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_9\",\"name\":\"f\",\"input\":{}}}");
              out.event(
                  "content_block_delta",
                  "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{}\"}}");
              out.event(
                  "message_delta",
                  "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":{\"output_tokens\":3}}");
              out.event("message_stop", "{\"type\":\"message_stop\"}");
              out.end();
            });
    start(
        """
        ai:
          providers:
            - { name: claude, kind: anthropic, base-url: "%s", keys: [ %s ] }
          models:
            - { name: smart, targets: [ { provider: claude } ] }
        """
            .formatted(anthropic.baseUrl("/v1"), key("key1")));

    List<String> data = dataLines(postStreaming(CHAT.formatted("smart", ",\"stream\":true")));

    assertThat(json(anthropic.last().body()).path("stream").asBoolean()).isTrue();
    assertThat(data).last().isEqualTo("[DONE]");
    List<JsonNode> chunks = new ArrayList<>();
    for (String d : data.subList(0, data.size() - 1)) {
      chunks.add(json(d));
    }
    assertThat(chunks).allMatch(c -> c.path("object").asText().equals("chat.completion.chunk"));
    assertThat(chunks.get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
    assertThat(chunks.get(1).at("/choices/0/delta/content").asText()).isEqualTo("Hi");
    assertThat(chunks.get(2).at("/choices/0/delta/tool_calls/0/id").asText()).isEqualTo("toolu_9");
    assertThat(chunks.get(3).at("/choices/0/delta/tool_calls/0/function/arguments").asText())
        .isEqualTo("{}");
    assertThat(chunks.get(4).at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
  }

  @Test
  void translatesToGeminiAndBackStreamedOrNot() throws Exception {
    FakeProvider gemini =
        provider(
            (r, out) -> {
              String candidate =
                  "{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"%s\"}]}%s}]%s}";
              if (r.uri().contains("batchEmbedContents")) {
                out.json(200, "{\"embeddings\":[{\"values\":[0.5,0.25]},{\"values\":[1.0]}]}");
              } else if (r.uri().contains("streamGenerateContent")) {
                out.events();
                out.event(null, candidate.formatted("Hel", "", ""));
                out.event(
                    null,
                    candidate.formatted(
                        "lo",
                        ",\"finishReason\":\"STOP\"",
                        ",\"usageMetadata\":{\"promptTokenCount\":4,\"candidatesTokenCount\":2,\"totalTokenCount\":6}"));
                out.end();
              } else {
                out.json(
                    200,
                    candidate.formatted(
                        "Hello",
                        ",\"finishReason\":\"MAX_TOKENS\"",
                        ",\"usageMetadata\":{\"promptTokenCount\":4,\"candidatesTokenCount\":2,\"totalTokenCount\":6}"));
              }
            });
    start(
        """
        ai:
          providers:
            - { name: google, kind: gemini, base-url: "%s", keys: [ %s ] }
          models:
            - { name: flash, targets: [ { provider: google, model: gemini-2.5-flash } ] }
        """
            .formatted(gemini.baseUrl("/v1beta"), key("key1")));

    HttpResponse<String> whole = post("/v1/chat/completions", CHAT.formatted("flash", ""));
    FakeProvider.Received sent = gemini.last();
    List<String> streamed = dataLines(postStreaming(CHAT.formatted("flash", ",\"stream\":true")));

    assertThat(sent.uri()).isEqualTo("/v1beta/models/gemini-2.5-flash:generateContent");
    assertThat(sent.header("x-goog-api-key")).isEqualTo("sk-provider-one");
    assertThat(json(sent.body()).at("/systemInstruction/parts/0/text").asText())
        .isEqualTo("Be brief.");
    assertThat(json(sent.body()).at("/contents/0/role").asText()).isEqualTo("user");
    JsonNode answer = json(whole.body());
    assertThat(answer.at("/choices/0/message/content").asText()).isEqualTo("Hello");
    assertThat(answer.at("/choices/0/finish_reason").asText()).isEqualTo("length");
    assertThat(answer.at("/usage/total_tokens").asInt()).isEqualTo(6);
    assertThat(gemini.last().uri())
        .isEqualTo("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
    assertThat(streamed).hasSize(3).last().isEqualTo("[DONE]");
    assertThat(json(streamed.get(0)).at("/choices/0/delta/content").asText()).isEqualTo("Hel");
    assertThat(json(streamed.get(1)).at("/choices/0/finish_reason").asText()).isEqualTo("stop");

    HttpResponse<String> embed =
        post("/v1/embeddings", "{\"model\":\"flash\",\"input\":[\"a\",\"b\"]}");
    assertThat(embed.statusCode()).isEqualTo(200);
    assertThat(gemini.last().uri()).isEqualTo("/v1beta/models/gemini-2.5-flash:batchEmbedContents");
    assertThat(json(gemini.last().body()).at("/requests/1/content/parts/0/text").asText())
        .isEqualTo("b");
    assertThat(json(embed.body()).at("/data/0/embedding/1").asDouble()).isEqualTo(0.25);
    assertThat(json(embed.body()).at("/data/1/index").asInt()).isEqualTo(1);
  }

  @Test
  void callsAzureDeploymentsWithApiVersionAndApiKeyHeader() throws Exception {
    FakeProvider azure =
        provider(
            (r, out) ->
                out.json(
                    200,
                    r.uri().contains("/embeddings")
                        ? "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.1,0.2]}],\"model\":\"e\",\"usage\":{\"prompt_tokens\":2,\"total_tokens\":2}}"
                        : OPENAI_ANSWER));
    start(
        """
        ai:
          providers:
            - name: azure
              kind: azure-openai
              base-url: "%s"
              api-version: 2024-10-21
              keys: [ %s ]
              deployments: { gpt-4o: prod-gpt4o }
          models:
            - { name: gpt-4o, targets: [ { provider: azure } ] }
            - { name: embed, targets: [ { provider: azure, model: text-embedding-3-small } ] }
        """
            .formatted(azure.baseUrl(""), key("key1")));

    HttpResponse<String> chat = post("/v1/chat/completions", CHAT.formatted("gpt-4o", ""));
    FakeProvider.Received sent = azure.last();
    HttpResponse<String> embed =
        post("/v1/embeddings", "{\"model\":\"embed\",\"input\":\"hello\"}");

    assertThat(chat.statusCode()).isEqualTo(200);
    assertThat(sent.uri())
        .isEqualTo("/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21");
    assertThat(sent.header("api-key")).isEqualTo("sk-provider-one");
    assertThat(sent.header("authorization")).isNull();
    assertThat(embed.statusCode()).isEqualTo(200);
    assertThat(azure.last().uri())
        .isEqualTo("/openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21");
    assertThat(json(embed.body()).at("/data/0/embedding/1").asDouble()).isEqualTo(0.2);
  }
}
