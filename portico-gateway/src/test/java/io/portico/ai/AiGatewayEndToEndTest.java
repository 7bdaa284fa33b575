package io.portico.ai;

import static io.portico.ai.AiCaller.dataLines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.testing.GatewayFixture;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AI gateway end to end: the gateway in-process, fake providers on real sockets speaking each
 * wire format, a real HTTP client.
 */
class AiGatewayEndToEndTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONSUMER_KEY = AiCaller.KEY;
  private static final String CHAT =
      "{\"model\":\"%s\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
          + "{\"role\":\"user\",\"content\":\"Hi\"}]%s}";
  private static final String OPENAI_ANSWER =
      "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-x\","
          + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello!\"},"
          + "\"finish_reason\":\"stop\"}],"
          + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11}}";

  @TempDir Path dir;
  private final List<AutoCloseable> closing = new ArrayList<>();
  private GatewayFixture gateway;

  @BeforeEach
  void keys() throws Exception {
    Files.writeString(dir.resolve("key1"), "sk-provider-one\n");
    Files.writeString(dir.resolve("key2"), "sk-provider-two\n");
  }

  @AfterEach
  void close() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private FakeProvider provider(FakeProvider.Script script) throws Exception {
    FakeProvider p = new FakeProvider(script);
    closing.add(p);
    return p;
  }

  /** A gateway with the {@code ai} section given and a key-auth protected AI route. */
  private void start(String ai) throws Exception {
    gateway = GatewayFixture.start(ai + AiCaller.routeAndConsumer());
  }

  /** A gateway whose model {@code gpt-4o} has one target: the OpenAI provider {@code name}. */
  private void startWithOnly(String name, FakeProvider p) throws Exception {
    startWithOnly(name, p, null);
  }

  /**
   * As {@link #startWithOnly(String, FakeProvider)}, the model's {@code timeout} set unless null;
   * the provider uses the key in file {@code key1}.
   */
  private void startWithOnly(String name, FakeProvider p, @Nullable String timeout)
      throws Exception {
    start(
        "ai:\n  providers:\n"
            + openai(name, p, "[ " + key("key1") + " ]")
            + "  models:\n    - { name: gpt-4o, %stargets: [ { provider: %s } ] }\n"
                .formatted(timeout == null ? "" : "timeout: " + timeout + ", ", name));
  }

  private String key(String name) {
    return "file:" + dir.resolve(name);
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return AiCaller.post(gateway, path, body);
  }

  private HttpResponse<Stream<String>> postStreaming(String body) throws Exception {
    return AiCaller.postStreaming(gateway, body);
  }

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  private static String openai(String name, FakeProvider p, String keys) {
    return """
          - name: %s
            kind: openai
            base-url: %s
            keys: %s
        """
        .formatted(name, p.baseUrl("/v1"), keys);
  }

  // ---------------------------------------------------------------- OpenAI

  @Test
  void relaysOpenAiAnswerWithTheProvidersKeyAndNeverTheClientsCredentials() throws Exception {
    FakeProvider openai = provider((r, out) -> out.json(200, OPENAI_ANSWER));
    start(
        "ai:\n  providers:\n"
            + openai("openai", openai, "[ " + key("key1") + " ]")
            + """
              models:
                - name: gpt-4o
                  targets: [ { provider: openai, model: gpt-4o-2024-08-06 } ]
            """);

    HttpResponse<String> r = post("/v1/chat/completions", CHAT.formatted("gpt-4o", ""));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r.body()).at("/choices/0/message/content").asText()).isEqualTo("Hello!");
    FakeProvider.Received got = openai.last();
    assertThat(got.uri()).isEqualTo("/v1/chat/completions");
    assertThat(got.header("authorization")).isEqualTo("Bearer sk-provider-one");
    assertThat(got.body()).doesNotContain(CONSUMER_KEY);
    assertThat(got.headers().values()).noneMatch(v -> v.contains(CONSUMER_KEY));
    assertThat(json(got.body()).path("model").asText()).isEqualTo("gpt-4o-2024-08-06");
    assertThat(r.body()).doesNotContain("sk-provider");
  }

  @Test
  void refusesAClientWithoutAConsumerKeyBeforeAnyProviderCall() throws Exception {
    FakeProvider openai = provider((r, out) -> out.json(200, OPENAI_ANSWER));
    startWithOnly("openai", openai);

    HttpResponse<String> r =
        gateway.send(
            HttpRequest.newBuilder(gateway.uri("/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(CHAT.formatted("gpt-4o", ""))));

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(openai.received()).isEmpty();
  }

  @Test
  void streamsEachEventToTheClientAsSoonAsTheProviderSendsIt() throws Exception {
    CountDownLatch firstSeen = new CountDownLatch(1);
    FakeProvider openai =
        provider(
            (r, out) -> {
              out.events();
              out.event(null, chunk("Hel"));
              // The second event waits until the client has read the first: no buffering.
              assertThat(firstSeen.await(5, TimeUnit.SECONDS)).isTrue();
              out.event(null, chunk("lo"));
              out.event(null, "[DONE]");
              out.end();
            });
    startWithOnly("openai", openai);

    HttpResponse<Stream<String>> r = postStreaming(CHAT.formatted("gpt-4o", ",\"stream\":true"));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
    List<String> data = new ArrayList<>();
    try (Stream<String> lines = r.body()) {
      lines
          .filter(l -> l.startsWith("data: "))
          .forEach(
              l -> {
                data.add(l.substring(6));
                firstSeen.countDown();
              });
    }
    assertThat(data).hasSize(3).last().isEqualTo("[DONE]");
    assertThat(data.get(1)).contains("\"lo\"");
  }

  static String chunk(String content) {
    return "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-x\","
        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
        + content
        + "\"},\"finish_reason\":null}]}";
  }

  // ---------------------------------------------------------------- bad input

  @Test
  void answersBadInputWith400InOpenAisErrorShapeWithoutCallingAProvider() throws Exception {
    FakeProvider openai = provider((r, out) -> out.json(200, OPENAI_ANSWER));
    start(
        "ai:\n  providers:\n"
            + openai("openai", openai, "[ " + key("key1") + " ]")
            + "  models:\n    - { name: gpt-4o, targets: [ { provider: openai } ], max-request-size: 2k }\n");

    HttpResponse<String> malformed = post("/v1/chat/completions", "{\"model\": \"gpt-4o\",");
    HttpResponse<String> unknown = post("/v1/chat/completions", CHAT.formatted("gpt-9", ""));
    HttpResponse<String> noMessages = post("/v1/chat/completions", "{\"model\":\"gpt-4o\"}");
    HttpResponse<String> tooLarge =
        post(
            "/v1/chat/completions",
            "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + "x".repeat(4000)
                + "\"}]}");

    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(json(malformed.body()).at("/error/code").asText()).isEqualTo("invalid_json");
    assertThat(json(malformed.body()).at("/error/type").asText())
        .isEqualTo("invalid_request_error");
    assertThat(json(malformed.body()).path("error").has("param")).isTrue();
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(json(unknown.body()).at("/error/code").asText()).isEqualTo("model_not_found");
    assertThat(noMessages.statusCode()).isEqualTo(400);
    assertThat(json(noMessages.body()).at("/error/param").asText()).isEqualTo("messages");
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(json(tooLarge.body()).at("/error/code").asText()).isEqualTo("request_too_large");
    assertThat(malformed.headers().firstValue("content-type").orElse(""))
        .startsWith("application/json");
    assertThat(openai.received()).isEmpty();
  }

  @Test
  void listsTheConfiguredModels() throws Exception {
    FakeProvider openai = provider((r, out) -> out.json(200, OPENAI_ANSWER));
    start(
        "ai:\n  providers:\n"
            + openai("openai", openai, "[ " + key("key1") + " ]")
            + """
              models:
                - { name: gpt-4o, targets: [ { provider: openai } ] }
                - { name: fast, targets: [ { provider: openai, model: gpt-4o-mini } ] }
            """);

    HttpResponse<String> r =
        gateway.send(
            HttpRequest.newBuilder(gateway.uri("/v1/models"))
                .header("Authorization", "Bearer " + CONSUMER_KEY));
    HttpResponse<String> one =
        gateway.send(
            HttpRequest.newBuilder(gateway.uri("/v1/models/fast"))
                .header("Authorization", "Bearer " + CONSUMER_KEY));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r.body()).path("object").asText()).isEqualTo("list");
    assertThat(json(r.body()).findValuesAsText("id")).containsExactly("gpt-4o", "fast");
    assertThat(json(one.body()).path("id").asText()).isEqualTo("fast");
  }

  // ---------------------------------------------------------------- routing and faults

  @Test
  void fallsBackOn429AndSkipsThatTargetUntilRetryAfter() throws Exception {
    FakeProvider limited =
        provider(
            (r, out) ->
                out.json(429, "{\"error\":{\"message\":\"slow down\"}}", "Retry-After: 30"));
    FakeProvider spare = provider((r, out) -> out.json(200, OPENAI_ANSWER));
    start(
        "ai:\n  providers:\n"
            + openai("limited", limited, "[ " + key("key1") + " ]")
            + openai("spare", spare, "[ " + key("key2") + " ]")
            + """
              models:
                - name: gpt-4o
                  targets: [ { provider: limited }, { provider: spare } ]
            """);

    HttpResponse<String> first = post("/v1/chat/completions", CHAT.formatted("gpt-4o", ""));
    HttpResponse<String> second = post("/v1/chat/completions", CHAT.formatted("gpt-4o", ""));

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(limited.received()).hasSize(1);
    assertThat(spare.received()).hasSize(2);
    assertThat(spare.last().header("authorization")).isEqualTo("Bearer sk-provider-two");
  }

  @Test
  void answers503WithRetryAfterWhileTheOnlyTargetCoolsDown() throws Exception {
    FakeProvider limited =
        provider(
            (r, out) ->
                out.json(429, "{\"error\":{\"message\":\"slow down\"}}", "Retry-After: 20"));
    startWithOnly("limited", limited);

    HttpResponse<String> first = post("/v1/chat/completions", CHAT.formatted("gpt-4o", ""));
    HttpResponse<String> second = post("/v1/chat/completions", CHAT.formatted("gpt-4o", ""));

    assertThat(first.statusCode()).isEqualTo(503);
    assertThat(second.statusCode()).isEqualTo(503);
    assertThat(second.headers().firstValue("x-content-type-options")).hasValue("nosniff");
    assertThat(limited.received()).hasSize(1);
    assertThat(Integer.parseInt(second.headers().firstValue("retry-after").orElse("0")))
        .isBetween(1, 20);
    assertThat(json(second.body()).at("/error/message").asText()).contains("cooling down");
  }

  @Test
  void fallsBackOnConnectFailureAnd5xxThenAnswers503WhenAllFail() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    FakeProvider failing = provider((r, out) -> out.json(500, "{\"error\":\"boom\"}"));
    FakeProvider ok = provider((r, out) -> out.json(200, OPENAI_ANSWER));
    start(
        "ai:\n  providers:\n  - { name: dead, kind: openai-compatible, base-url: \"http://127.0.0.1:%d/v1\", connect-timeout: 500ms }\n"
                .formatted(closedPort)
            + openai("failing", failing, "[ " + key("key1") + " ]")
            + openai("ok", ok, "[ " + key("key2") + " ]")
            + """
              models:
                - name: good
                  targets: [ { provider: dead }, { provider: failing }, { provider: ok } ]
                - name: bad
                  targets: [ { provider: dead }, { provider: failing } ]
            """);

    HttpResponse<String> good = post("/v1/chat/completions", CHAT.formatted("good", ""));
    HttpResponse<String> bad = post("/v1/chat/completions", CHAT.formatted("bad", ""));

    assertThat(good.statusCode()).isEqualTo(200);
    assertThat(failing.received()).hasSize(2);
    assertThat(bad.statusCode()).isEqualTo(503);
    JsonNode error = json(bad.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("all_targets_failed");
    assertThat(error.path("message").asText()).contains("dead").contains("failing: answered 500");
    assertThat(bad.body()).doesNotContain("sk-provider").doesNotContain("127.0.0.1");
  }

  @Test
  void triesTheSameTargetOnceMoreWhenItClosesTheConnectionBeforeAnswering() throws Exception {
    java.util.concurrent.atomic.AtomicInteger calls =
        new java.util.concurrent.atomic.AtomicInteger();
    FakeProvider flaky =
        provider(
            (r, out) -> {
              if (calls.incrementAndGet() > 1) {
                out.json(200, OPENAI_ANSWER);
              }
              // the first request: the connection closes unanswered
            });
    startWithOnly("flaky", flaky);

    HttpResponse<String> r = post("/v1/chat/completions", CHAT.formatted("gpt-4o", ""));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(flaky.received()).hasSize(2);
  }

  @Test
  void answers504WhenTheProviderIsSlowerThanTheModelsTimeout() throws Exception {
    FakeProvider slow =
        provider(
            (r, out) -> {
              Thread.sleep(3000);
              out.json(200, OPENAI_ANSWER);
            });
    startWithOnly("slow", slow, "300ms");

    long start = System.nanoTime();
    HttpResponse<String> r = post("/v1/chat/completions", CHAT.formatted("gpt-4o", ""));

    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(json(r.body()).at("/error/code").asText()).isEqualTo("timeout");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void answers502NamingTheProviderWhenItAnswersGarbage() throws Exception {
    FakeProvider garbage = provider((r, out) -> out.json(200, "<html>not json"));
    startWithOnly("weird", garbage);

    HttpResponse<String> r = post("/v1/chat/completions", CHAT.formatted("gpt-4o", ""));

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(json(r.body()).at("/error/message").asText()).contains("Provider weird");
  }

  @Test
  void rotatesKeysAndCoolsDownAKeyTheProviderRefuses() throws Exception {
    FakeProvider p =
        provider(
            (r, out) -> {
              if (r.header("authorization").endsWith("one")) {
                out.json(
                    401, "{\"error\":{\"message\":\"Incorrect API key provided: sk-pr***one\"}}");
              } else {
                out.json(200, OPENAI_ANSWER);
              }
            });
    start(
        "ai:\n  providers:\n"
            + openai("p", p, "[ " + key("key1") + ", " + key("key2") + " ]")
            + "  models:\n    - { name: gpt-4o, targets: [ { provider: p } ] }\n");

    for (int i = 0; i < 4; i++) {
      HttpResponse<String> r = post("/v1/chat/completions", CHAT.formatted("gpt-4o", ""));
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).doesNotContain("sk-pr");
    }

    long refused =
        p.received().stream().filter(r -> r.header("authorization").endsWith("one")).count();
    assertThat(refused).isEqualTo(1);
  }

  @Test
  void endsTheClientsStreamWithAnErrorEventWhenTheProviderCutsIt() throws Exception {
    FakeProvider cut =
        provider(
            (r, out) -> {
              out.events();
              out.event(null, chunk("Hel"));
              out.raw("5\r\ndata:"); // half a chunk, then the connection drops
            });
    startWithOnly("cut", cut);

    HttpResponse<Stream<String>> r = postStreaming(CHAT.formatted("gpt-4o", ",\"stream\":true"));

    List<String> data = dataLines(r);
    assertThat(data).hasSize(2);
    assertThat(data.get(0)).contains("Hel");
    assertThat(json(data.get(1)).at("/error/message").asText()).contains("Provider cut");
  }

  @Test
  void endsTheClientsStreamWithAnErrorEventWhenTheProviderGoesSilent() throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    FakeProvider silent =
        provider(
            (r, out) -> {
              out.events();
              out.event(null, chunk("Hel"));
              done.await(5, TimeUnit.SECONDS);
            });
    startWithOnly("silent", silent, "300ms");

    List<String> data = dataLines(postStreaming(CHAT.formatted("gpt-4o", ",\"stream\":true")));
    done.countDown();

    assertThat(data).hasSize(2);
    assertThat(json(data.get(1)).at("/error/code").asText()).isEqualTo("timeout");
  }

  @Test
  void fallsBackWhenAStreamFailsBeforeItsFirstEventButNeverAfter() throws Exception {
    FakeProvider cutEarly =
        provider(
            (r, out) -> {
              out.events();
              out.raw("5\r\ndata:"); // cut before any whole event
            });
    FakeProvider spare =
        provider(
            (r, out) -> {
              out.events();
              out.event(null, chunk("spare"));
              out.event(null, "[DONE]");
              out.end();
            });
    start(
        "ai:\n  providers:\n"
            + openai("early", cutEarly, "[ " + key("key1") + " ]")
            + openai("spare", spare, "[ " + key("key2") + " ]")
            + "  models:\n    - { name: gpt-4o, targets: [ { provider: early }, { provider: spare } ] }\n");

    List<String> data = dataLines(postStreaming(CHAT.formatted("gpt-4o", ",\"stream\":true")));

    assertThat(data).hasSize(2).last().isEqualTo("[DONE]");
    assertThat(data.get(0)).contains("spare");
    assertThat(cutEarly.received()).hasSize(1);
  }

  @Test
  void cancelsTheProviderCallWhenTheClientLeavesMidStream() throws Exception {
    CountDownLatch clientGone = new CountDownLatch(1);
    FakeProvider endless =
        provider(
            (r, out) -> {
              out.events();
              out.event(null, chunk("first"));
              clientGone.await(5, TimeUnit.SECONDS);
              for (int i = 0; i < 200; i++) {
                out.event(null, chunk("more"));
                Thread.sleep(20);
              }
              out.end();
            });
    startWithOnly("endless", endless);

    String body = CHAT.formatted("gpt-4o", ",\"stream\":true");
    try (Socket s = new Socket("127.0.0.1", gateway.port())) {
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                  + CONSUMER_KEY
                  + "\r\nContent-Length: "
                  + body.length()
                  + "\r\n\r\n"
                  + body)
              .getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null && !line.contains("first")) {
        // until the first event
      }
      assertThat(line).contains("first");
    }
    clientGone.countDown();

    await().atMost(Duration.ofSeconds(5)).until(() -> endless.writeFailures() == 1);
  }

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
