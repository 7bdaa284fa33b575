package io.portico.ai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.portico.testing.GatewayFixture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The exact-match response cache end to end: in memory and in the real Redis at 127.0.0.1:6379,
 * with a fake provider that counts its calls and two consumers authenticated by key.
 */
class AiResponseCacheTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY_A = "consumer-a-key";
  private static final String KEY_B = "consumer-b-key";

  private FakeProvider provider;
  private GatewayFixture gateway;
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger refuseFirst = new AtomicInteger();
  private final AtomicInteger cutFirst = new AtomicInteger();

  @AfterEach
  void close() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    if (provider != null) {
      provider.close();
    }
  }

  private static String sha256(String key) throws Exception {
    return "sha256:"
        + HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
  }

  /** A gateway whose route {@code llm} has the cache section given. */
  private void start(String cache) throws Exception {
    provider =
        new FakeProvider(
            (r, out) -> {
              int n = calls.incrementAndGet();
              if (refuseFirst.getAndDecrement() > 0) {
                out.json(400, "{\"error\":{\"message\":\"bad temperature\"}}");
              } else if (r.body().contains("\"stream\":true")) {
                out.events();
                out.event(null, AiGatewayEndToEndTest.chunk("answer "));
                out.event(null, AiGatewayEndToEndTest.chunk(String.valueOf(n)));
                if (cutFirst.getAndDecrement() > 0) {
                  return; // the connection closes before [DONE]
                }
                if (r.body().contains("\"include_usage\":true")) {
                  out.event(
                      null,
                      "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                          + "\"model\":\"gpt-x\",\"choices\":[],\"usage\":{\"prompt_tokens\":7,"
                          + "\"completion_tokens\":2,\"total_tokens\":9}}");
                }
                out.event(null, "[DONE]");
                out.end();
              } else {
                out.json(
                    200,
                    "{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\","
                        + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                        + "\"content\":\"answer "
                        + n
                        + "\"},\"finish_reason\":\"stop\"}]}");
              }
            });
    gateway =
        GatewayFixture.start(
            """
            ai:
              providers:
                - { name: local, kind: openai-compatible, base-url: "%s" }
              models:
                - { name: small, targets: [ { provider: local } ] }
            routes:
              - name: llm
                paths: [ /v1/ ]
                ai:
                  cache: %s
                plugins:
                  key-auth: { header-names: [ Authorization ] }
            consumers:
              - { name: a, credentials: { key-auth: { key: "%s" } } }
              - { name: b, credentials: { key-auth: { key: "%s" } } }
            """
                .formatted(provider.baseUrl("/v1"), cache, sha256(KEY_A), sha256(KEY_B)));
  }

  private HttpResponse<String> ask(String key, String question, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(gateway.uri("/v1/chat/completions"))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"model\":\"small\",\"temperature\":0,\"messages\":[{\"role\":\"user\","
                        + "\"content\":\""
                        + question
                        + "\"}]}"));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return gateway.send(b);
  }

  private static String cacheStatus(HttpResponse<String> r) {
    return r.headers().firstValue("x-portico-cache").orElse("(none)");
  }

  private static String content(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body()).at("/choices/0/message/content").asText();
  }

  @Test
  void servesTheSameQuestionFromMemoryTheSecondTime() throws Exception {
    start("{ store: memory, ttl: 1m }");

    HttpResponse<String> first = ask(KEY_A, "What is 2+2?");
    HttpResponse<String> second = ask(KEY_A, "What is 2+2?");
    HttpResponse<String> other = ask(KEY_A, "What is 3+3?");

    assertThat(cacheStatus(first)).isEqualTo("MISS");
    assertThat(cacheStatus(second)).isEqualTo("HIT");
    assertThat(content(second)).isEqualTo(content(first)).isEqualTo("answer 1");
    assertThat(cacheStatus(other)).isEqualTo("MISS");
    assertThat(calls).hasValue(2);
  }

  @Test
  void neverServesOneConsumersAnswerToAnotherUnlessShared() throws Exception {
    start("{ store: memory }");

    ask(KEY_A, "Secret plans?");
    HttpResponse<String> b = ask(KEY_B, "Secret plans?");
    HttpResponse<String> a = ask(KEY_A, "Secret plans?");

    assertThat(cacheStatus(b)).isEqualTo("MISS");
    assertThat(content(b)).isEqualTo("answer 2");
    assertThat(cacheStatus(a)).isEqualTo("HIT");
    assertThat(content(a)).isEqualTo("answer 1");
  }

  @Test
  void sharesAnswersAcrossConsumersWhenConfigured() throws Exception {
    start("{ store: memory, share-across-consumers: true }");

    ask(KEY_A, "Capital of France?");
    HttpResponse<String> b = ask(KEY_B, "Capital of France?");

    assertThat(cacheStatus(b)).isEqualTo("HIT");
    assertThat(calls).hasValue(1);
  }

  @Test
  void anAnswerOlderThanTheTtlIsNotServed() throws Exception {
    start("{ store: memory, ttl: 1s }");

    ask(KEY_A, "Time?");
    assertThat(cacheStatus(ask(KEY_A, "Time?"))).isEqualTo("HIT");
    Thread.sleep(1_200);
    HttpResponse<String> late = ask(KEY_A, "Time?");

    assertThat(cacheStatus(late)).isEqualTo("MISS");
    assertThat(content(late)).isEqualTo("answer 2");
  }

  @Test
  void theClientsNoCacheBypassesTheCacheAndErrorsAreNeverStored() throws Exception {
    refuseFirst.set(1);
    start("{ store: memory }");

    HttpResponse<String> refused = ask(KEY_A, "Hello?");
    HttpResponse<String> fresh = ask(KEY_A, "Hello?");
    HttpResponse<String> bypass = ask(KEY_A, "Hello?", "Cache-Control", "no-cache");
    HttpResponse<String> hit = ask(KEY_A, "Hello?");

    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(cacheStatus(fresh)).isEqualTo("MISS");
    assertThat(content(fresh)).isEqualTo("answer 2");
    assertThat(cacheStatus(bypass)).isEqualTo("BYPASS");
    assertThat(content(bypass)).isEqualTo("answer 3");
    assertThat(cacheStatus(hit)).isEqualTo("HIT");
    assertThat(content(hit)).isEqualTo("answer 2");
  }

  @Test
  void theAccessLogHasTheMaskedCountAndTheCacheVerdict() throws Exception {
    provider =
        new FakeProvider(
            (r, out) ->
                out.json(
                    200,
                    "{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\","
                        + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                        + "\"content\":\"noted\"},\"finish_reason\":\"stop\"}]}"));
    gateway =
        GatewayFixture.start(
            """
            ai:
              providers:
                - { name: local, kind: openai-compatible, base-url: "%s" }
              models:
                - { name: small, targets: [ { provider: local } ] }
            routes:
              - name: llm
                paths: [ /v1/ ]
                ai:
                  cache: { store: memory }
                  guard: { mask: { emails: true, cards: true } }
              - name: plain
                paths: [ /plain/ ]
                ai: {}
            runtime:
              access-log:
                sinks:
                  - { type: file, name: main, path: access.log }
            """
                .formatted(provider.baseUrl("/v1")));
    String question =
        "{\"model\":\"small\",\"messages\":[{\"role\":\"user\",\"content\":"
            + "\"Mail ann@example.com and bob@example.org the card 4111 1111 1111 1111\"}]}";
    for (int i = 0; i < 2; i++) {
      gateway.send(
          HttpRequest.newBuilder(gateway.uri("/v1/chat/completions"))
              .POST(HttpRequest.BodyPublishers.ofString(question)));
    }
    String clean =
        "{\"model\":\"small\",\"messages\":[{\"role\":\"user\",\"content\":\"Nothing to hide\"}]}";
    gateway.send(
        HttpRequest.newBuilder(gateway.uri("/v1/chat/completions"))
            .POST(HttpRequest.BodyPublishers.ofString(clean)));
    gateway.send(
        HttpRequest.newBuilder(gateway.uri("/plain/chat/completions"))
            .POST(HttpRequest.BodyPublishers.ofString(clean)));

    java.nio.file.Path log = gateway.configFile().resolveSibling("access.log");
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(5))
        .until(
            () ->
                java.nio.file.Files.exists(log)
                    && java.nio.file.Files.readAllLines(log).size() >= 4);
    List<String> lines = java.nio.file.Files.readAllLines(log);
    com.fasterxml.jackson.databind.JsonNode miss = JSON.readTree(lines.get(0));
    com.fasterxml.jackson.databind.JsonNode hit = JSON.readTree(lines.get(1));
    assertThat(miss.path("ai_masked").asInt()).isEqualTo(3);
    assertThat(miss.path("ai_cache").asText()).isEqualTo("miss");
    assertThat(hit.path("ai_masked").asInt()).isEqualTo(3);
    assertThat(hit.path("ai_cache").asText()).isEqualTo("hit");
    assertThat(lines.get(0)).doesNotContain("ann@example.com");
    com.fasterxml.jackson.databind.JsonNode nothingFound = JSON.readTree(lines.get(2));
    assertThat(nothingFound.path("ai_masked").isInt()).isTrue();
    assertThat(nothingFound.path("ai_masked").asInt()).isZero();
    com.fasterxml.jackson.databind.JsonNode unmasked = JSON.readTree(lines.get(3));
    assertThat(unmasked.path("ai_model").asText()).isEqualTo("small");
    assertThat(unmasked.has("ai_masked")).isFalse();
  }

  private HttpResponse<String> askStreaming(String path, String body) throws Exception {
    return gateway.send(
        HttpRequest.newBuilder(gateway.uri(path))
            .header("Authorization", "Bearer " + KEY_A)
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private static final String STREAMED_QUESTION =
      "{\"model\":\"small\",\"temperature\":0,\"stream\":true,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

  /** The content of an OpenAI event stream, its deltas joined. */
  private static String streamedContent(HttpResponse<String> r) throws Exception {
    StringBuilder b = new StringBuilder();
    for (String line : r.body().split("\n")) {
      if (line.startsWith("data: {")) {
        for (var choice : JSON.readTree(line.substring(6)).path("choices")) {
          b.append(choice.path("delta").path("content").asText(""));
        }
      }
    }
    return b.toString();
  }

  @Test
  void aStreamedAnswerIsStoredOnceCompleteAndReplayedAsEvents() throws Exception {
    start("{ store: memory }");

    HttpResponse<String> miss = askStreaming("/v1/chat/completions", STREAMED_QUESTION);
    HttpResponse<String> hit = askStreaming("/v1/chat/completions", STREAMED_QUESTION);
    HttpResponse<String> whole = ask(KEY_A, "Hi");

    assertThat(cacheStatus(miss)).isEqualTo("MISS");
    assertThat(streamedContent(miss)).isEqualTo("answer 1");
    assertThat(cacheStatus(hit)).isEqualTo("HIT");
    assertThat(hit.headers().firstValue("content-type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
    assertThat(streamedContent(hit)).isEqualTo("answer 1");
    assertThat(hit.body()).contains("\"finish_reason\":\"stop\"").endsWith("data: [DONE]\n\n");
    assertThat(cacheStatus(whole)).isEqualTo("HIT");
    assertThat(content(whole)).isEqualTo("answer 1");
    assertThat(calls.get()).isEqualTo(1);
  }

  @Test
  void aStoredStreamKeepsItsUsageWhenTheClientDidNotAskForIt() throws Exception {
    start("{ store: memory }");

    HttpResponse<String> miss = askStreaming("/v1/chat/completions", STREAMED_QUESTION);
    HttpResponse<String> whole = ask(KEY_A, "Hi");
    HttpResponse<String> streamed =
        askStreaming(
            "/v1/chat/completions",
            STREAMED_QUESTION.replace(
                "\"stream\":true,",
                "\"stream\":true,\"stream_options\":{\"include_usage\":true},"));

    assertThat(cacheStatus(miss)).isEqualTo("MISS");
    assertThat(miss.body()).doesNotContain("\"usage\"");
    assertThat(cacheStatus(whole)).isEqualTo("HIT");
    assertThat(JSON.readTree(whole.body()).at("/usage/prompt_tokens").asInt()).isEqualTo(7);
    assertThat(JSON.readTree(whole.body()).at("/usage/completion_tokens").asInt()).isEqualTo(2);
    assertThat(cacheStatus(streamed)).isEqualTo("HIT");
    assertThat(streamedContent(streamed)).isEqualTo("answer 1");
    assertThat(streamed.body())
        .contains("\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":2,\"total_tokens\":9}");
    assertThat(calls.get()).isEqualTo(1);
  }

  @Test
  void aWholeAnswerIsReplayedAsEventsToAStreamingClient() throws Exception {
    start("{ store: memory }");

    HttpResponse<String> whole = ask(KEY_A, "Hi");
    HttpResponse<String> hit = askStreaming("/v1/chat/completions", STREAMED_QUESTION);

    assertThat(cacheStatus(whole)).isEqualTo("MISS");
    assertThat(cacheStatus(hit)).isEqualTo("HIT");
    assertThat(streamedContent(hit)).isEqualTo("answer 1");
    assertThat(calls.get()).isEqualTo(1);
  }

  @Test
  void aCutStreamIsNeverStored() throws Exception {
    start("{ store: memory }");
    cutFirst.set(1);

    HttpResponse<String> cut = askStreaming("/v1/chat/completions", STREAMED_QUESTION);
    HttpResponse<String> again = askStreaming("/v1/chat/completions", STREAMED_QUESTION);

    assertThat(cut.body()).contains("\"error\"").doesNotContain("[DONE]");
    assertThat(cacheStatus(again)).isEqualTo("MISS");
    assertThat(streamedContent(again)).isEqualTo("answer 2");
    assertThat(calls.get()).isEqualTo(2);
  }

  @Test
  void aCachedAnswerIsReplayedInAnthropicsEventsOnTheMessagesFront() throws Exception {
    start("{ store: memory }");

    String question =
        "\"model\":\"small\",\"max_tokens\":50,\"temperature\":0,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
    HttpResponse<String> whole = askStreaming("/v1/messages", "{" + question);
    HttpResponse<String> hit = askStreaming("/v1/messages", "{\"stream\":true," + question);

    assertThat(cacheStatus(whole)).isEqualTo("MISS");
    assertThat(JSON.readTree(whole.body()).at("/content/0/text").asText()).isEqualTo("answer 1");
    assertThat(cacheStatus(hit)).isEqualTo("HIT");
    assertThat(hit.body())
        .startsWith("event: message_start\n")
        .contains("event: content_block_delta\n")
        .contains("\"text\":\"answer 1\"")
        .contains("event: message_delta\n")
        .endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    assertThat(calls.get()).isEqualTo(1);
  }

  @Test
  void keepsAnswersInRedisWithTheTtlAndConsumerIsolation() throws Exception {
    String prefix = "portico-test-" + UUID.randomUUID() + ":";
    start(
        "{ store: redis, ttl: 30s, redis: { url: \"redis://127.0.0.1:6379\", prefix: \""
            + prefix
            + "\" } }");

    HttpResponse<String> first = ask(KEY_A, "Redis?");
    HttpResponse<String> second = ask(KEY_A, "Redis?");
    HttpResponse<String> b = ask(KEY_B, "Redis?");

    assertThat(cacheStatus(first)).isEqualTo("MISS");
    assertThat(cacheStatus(second)).isEqualTo("HIT");
    assertThat(content(second)).isEqualTo("answer 1");
    assertThat(cacheStatus(b)).isEqualTo("MISS");
    RedisClient client = RedisClient.create("redis://127.0.0.1:6379");
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      List<String> keys = c.sync().keys(prefix + "ai-cache:*");
      assertThat(keys).hasSize(2);
      long ttl = c.sync().pttl(keys.get(0));
      assertThat(ttl).isBetween(20_000L, 30_000L);
      c.sync().del(keys.toArray(String[]::new));
    } finally {
      client.shutdown(0, 2, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  @Test
  void whenRedisIsDownEveryRequestBypassesTheCacheAndIsAnswered() throws Exception {
    start("{ store: redis, redis: { url: \"redis://127.0.0.1:1\", timeout: 200ms } }");

    HttpResponse<String> first = ask(KEY_A, "Anyone there?");
    HttpResponse<String> second = ask(KEY_A, "Anyone there?");

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(cacheStatus(first)).isEqualTo("BYPASS");
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(cacheStatus(second)).isEqualTo("BYPASS");
    assertThat(calls).hasValue(2);
  }
}
