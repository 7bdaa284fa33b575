package io.portico.ai;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The AI gateway end to end for OpenAI clients: relaying, streaming, refusing a client without a
 * key and bad input, and listing the models.
 */
class AiGatewayEndToEndTest extends AiGatewayCase {

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
}
