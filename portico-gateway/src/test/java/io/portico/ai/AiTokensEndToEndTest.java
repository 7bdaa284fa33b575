package io.portico.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.observe.ExchangeRecord;
import io.portico.testing.GatewayFixture;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tokens, limits and cost end to end: gateways in-process, fake providers on real sockets, token
 * limits counted locally and in the real Redis at 127.0.0.1:6379.
 */
class AiTokensEndToEndTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CHAT =
      "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]%s}";
  private static final String USAGE_CHUNK =
      "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-x\","
          + "\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,"
          + "\"total_tokens\":15}}";

  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private FakeProvider provider(FakeProvider.Script script) throws Exception {
    FakeProvider p = new FakeProvider(script);
    closing.add(p);
    return p;
  }

  /** A provider that streams a chunk per text, then {@link #USAGE_CHUNK} and {@code [DONE]}. */
  private static FakeProvider.Script streamWithUsage(String... texts) {
    return (r, out) -> {
      out.events();
      for (String text : texts) {
        out.event(null, AiGatewayEndToEndTest.chunk(text));
      }
      out.event(null, USAGE_CHUNK);
      out.event(null, "[DONE]");
      out.end();
    };
  }

  private static String answer(long prompt, long completion) {
    return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,"
        + "\"model\":\"gpt-x\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
        + "\"content\":\"Hello!\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":"
        + prompt
        + ",\"completion_tokens\":"
        + completion
        + ",\"total_tokens\":"
        + (prompt + completion)
        + "}}";
  }

  /** A gateway with one OpenAI provider, the model gpt-4o, and {@code tokens} in its ai section. */
  private GatewayFixture start(FakeProvider p, String tokens, String extra) throws Exception {
    String yaml =
        """
        ai:
          providers:
            - { name: openai, kind: openai, base-url: "%s" }
          models:
            - { name: gpt-4o, targets: [ { provider: openai, model: gpt-4o-2024-08-06 } ] }
          prices:
            - { provider: openai, model: gpt-4o-2024-08-06, input: 2.5, output: 10 }
        %s
        """
                .formatted(p.baseUrl("/v1"), tokens.indent(2))
            + AiCaller.routeAndConsumer()
            + extra;
    GatewayFixture gw = GatewayFixture.start(yaml);
    closing.add(gw);
    return gw;
  }

  private static HttpResponse<String> post(GatewayFixture gw, String body) throws Exception {
    return AiCaller.post(gw, "/v1/chat/completions", body);
  }

  private static List<String> stream(GatewayFixture gw, String body) throws Exception {
    HttpResponse<Stream<String>> r = AiCaller.postStreaming(gw, body);
    assertThat(r.statusCode()).isEqualTo(200);
    return AiCaller.dataLines(r);
  }

  private static ExchangeRecord.Ai lastAi(GatewayFixture gw, int count) {
    await().atMost(Duration.ofSeconds(5)).until(() -> gw.records().size() >= count);
    ExchangeRecord.Ai ai = gw.records().get(count - 1).ai();
    assertThat(ai).isNotNull();
    return ai;
  }

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  // ---------------------------------------------------------------- usage

  @Test
  void recordsTheProvidersUsageAndTheCostOfANonStreamedAnswer() throws Exception {
    FakeProvider p = provider((r, out) -> out.json(200, answer(9, 2)));
    GatewayFixture gw = start(p, "", "");

    assertThat(post(gw, CHAT.formatted("")).statusCode()).isEqualTo(200);

    ExchangeRecord.Ai ai = lastAi(gw, 1);
    assertThat(ai.model()).isEqualTo("gpt-4o");
    assertThat(ai.provider()).isEqualTo("openai");
    assertThat(ai.providerModel()).isEqualTo("gpt-4o-2024-08-06");
    assertThat(ai.promptTokens()).isEqualTo(9);
    assertThat(ai.completionTokens()).isEqualTo(2);
    assertThat(ai.totalTokens()).isEqualTo(11);
    assertThat(ai.estimated()).isFalse();
    assertThat(ai.cost()).isEqualTo((9 * 2.5 + 2 * 10) / 1_000_000.0);
  }

  @Test
  void asksForStreamUsageAndDropsTheUsageChunkTheClientDidNotAskFor() throws Exception {
    FakeProvider p = provider(streamWithUsage("Hel", "lo"));
    GatewayFixture gw = start(p, "", "");

    List<String> data = stream(gw, CHAT.formatted(",\"stream\":true"));

    assertThat(json(p.last().body()).at("/stream_options/include_usage").asBoolean()).isTrue();
    assertThat(data).hasSize(3).noneMatch(d -> d.contains("\"usage\""));
    ExchangeRecord.Ai ai = lastAi(gw, 1);
    assertThat(ai.promptTokens()).isEqualTo(12);
    assertThat(ai.completionTokens()).isEqualTo(3);
    assertThat(ai.estimated()).isFalse();
    assertThat(ai.firstTokenMillis()).isPositive();
  }

  @Test
  void forwardsTheUsageChunkWhenTheClientAskedForIt() throws Exception {
    FakeProvider p = provider(streamWithUsage("Hi"));
    GatewayFixture gw = start(p, "", "");

    List<String> data =
        stream(gw, CHAT.formatted(",\"stream\":true,\"stream_options\":{\"include_usage\":true}"));

    assertThat(data).hasSize(3);
    assertThat(json(data.get(1)).at("/usage/total_tokens").asLong()).isEqualTo(15);
  }

  @Test
  void countsTokensWithTheTokenizerWhenTheProviderReportsNone() throws Exception {
    FakeProvider p =
        provider(
            (r, out) ->
                out.json(
                    200,
                    "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
                        + "\"message\":{\"role\":\"assistant\",\"content\":\"Hello there, friend\"},"
                        + "\"finish_reason\":\"stop\"}]}"));
    GatewayFixture gw = start(p, "", "");

    assertThat(post(gw, CHAT.formatted("")).statusCode()).isEqualTo(200);

    ExchangeRecord.Ai ai = lastAi(gw, 1);
    var enc = TokenCounter.encoding("gpt-4o");
    assertThat(ai.estimated()).isTrue();
    assertThat(ai.promptTokens())
        .isEqualTo(3 + 3 + TokenCounter.count(enc, "user") + TokenCounter.count(enc, "Say hello"));
    assertThat(ai.completionTokens()).isEqualTo(TokenCounter.count(enc, "Hello there, friend"));
    assertThat(ai.totalTokens()).isEqualTo(ai.promptTokens() + ai.completionTokens());
  }

  @Test
  void countsWhatWasStreamedWhenTheProviderCutsTheStream() throws Exception {
    FakeProvider p =
        provider(
            (r, out) -> {
              out.events();
              out.event(null, AiGatewayEndToEndTest.chunk("Hello"));
              out.event(null, AiGatewayEndToEndTest.chunk(" wonderful world"));
              // no usage, no [DONE]: the connection closes mid-stream
            });
    GatewayFixture gw = start(p, "", "");

    List<String> data = stream(gw, CHAT.formatted(",\"stream\":true"));

    assertThat(data.get(data.size() - 1)).contains("\"error\"");
    ExchangeRecord.Ai ai = lastAi(gw, 1);
    var enc = TokenCounter.encoding("gpt-4o-2024-08-06");
    assertThat(ai.estimated()).isTrue();
    assertThat(ai.completionTokens())
        .isEqualTo(TokenCounter.count(enc, "Hello") + TokenCounter.count(enc, " wonderful world"));
    assertThat(ai.promptTokens()).isPositive();
  }

  // ---------------------------------------------------------------- limits

  private static final String LOCAL_LIMIT =
      """
      token-limits:
        - name: team
          key: consumer
          limits: [ { tokens: %d, window: 1m } ]
      """;

  @Test
  void refusesWith429InOpenAisShapeOnceTheTokenBudgetIsSpent() throws Exception {
    FakeProvider p = provider((r, out) -> out.json(200, answer(80, 10)));
    GatewayFixture gw = start(p, LOCAL_LIMIT.formatted(190), "");
    String body = CHAT.formatted(",\"max_tokens\":5"); // estimated at 14 tokens

    HttpResponse<String> first = post(gw, body);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("x-ratelimit-limit-tokens")).hasValue("190");
    assertThat(post(gw, body).statusCode()).isEqualTo(200); // 90 + 90 used
    HttpResponse<String> refused = post(gw, body);

    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.headers().firstValue("retry-after")).isPresent();
    assertThat(refused.headers().firstValue("x-ratelimit-remaining-tokens")).hasValue("10");
    JsonNode error = json(refused.body()).get("error");
    assertThat(error.path("type").asText()).isEqualTo("tokens");
    assertThat(error.path("code").asText()).isEqualTo("rate_limit_exceeded");
    assertThat(error.path("message").asText()).contains("Limit 190");
    assertThat(error.has("param")).isTrue();
    assertThat(p.received()).hasSize(2);
  }

  @Test
  void givesBackTheUnusedEstimateWhenTheCallEnds() throws Exception {
    FakeProvider p = provider((r, out) -> out.json(200, answer(10, 5)));
    GatewayFixture gw = start(p, LOCAL_LIMIT.formatted(1000), "");
    // max_tokens 600: each call is estimated at more than half the budget
    String body = CHAT.formatted(",\"max_tokens\":600");

    assertThat(post(gw, body).statusCode()).isEqualTo(200);
    HttpResponse<String> second = post(gw, body);

    assertThat(second.statusCode()).isEqualTo(200);
    long estimate = 600 + TokenCounter.chatPrompt(TokenCounter.encoding("gpt-4o"), json(body));
    assertThat(second.headers().firstValue("x-ratelimit-remaining-tokens"))
        .hasValue(String.valueOf(1000 - 15 - estimate));
  }

  @Test
  void sharesTheTokenLimitAcrossTwoGatewaysOnOneRedis() throws Exception {
    FakeProvider p = provider((r, out) -> out.json(200, answer(80, 10)));
    String prefix = "portico-test-" + UUID.randomUUID() + ":";
    String limit =
        """
        token-limits:
          - name: shared
            key: consumer
            limits: [ { tokens: 190, window: 1m } ]
            policy: redis
            redis:
              url: "redis://127.0.0.1:6379"
              prefix: "%s"
              timeout: 2s
              on-failure: fail-closed
        """
            .formatted(prefix);
    GatewayFixture a = start(p, limit, "");
    GatewayFixture b = start(p, limit, "");
    String body = CHAT.formatted(",\"max_tokens\":5"); // estimated at 14 tokens

    assertThat(post(a, body).statusCode()).isEqualTo(200);
    Thread.sleep(100); // the settlement is sent after the answer; let it land
    assertThat(post(b, body).statusCode()).isEqualTo(200);
    Thread.sleep(100);
    HttpResponse<String> refused = post(a, body);

    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(json(refused.body()).at("/error/code").asText()).isEqualTo("rate_limit_exceeded");
    assertThat(p.received()).hasSize(2);
  }

  @Test
  void appliesTheFailurePolicyWhenRedisIsDown() throws Exception {
    FakeProvider p = provider((r, out) -> out.json(200, answer(8, 2)));
    String limit =
        """
        token-limits:
          - name: down
            limits: [ { tokens: 200, window: 1m } ]
            policy: redis
            redis: { url: "redis://127.0.0.1:1", timeout: 200ms, on-failure: %s }
        """;
    GatewayFixture closed = start(p, limit.formatted("fail-closed"), "");
    GatewayFixture open = start(p, limit.formatted("fail-open"), "");

    HttpResponse<String> refused = post(closed, CHAT.formatted(""));
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(json(refused.body()).at("/error/code").asText()).isEqualTo("rate_limit_unavailable");
    assertThat(post(open, CHAT.formatted("")).statusCode()).isEqualTo(200);
  }

  @Test
  void refusesOnceADailyQuotaInRedisIsUsedUp() throws Exception {
    FakeProvider p = provider((r, out) -> out.json(200, answer(80, 10)));
    String quota =
        """
        token-quotas:
          - name: daily
            limit: 100
            period: day
            redis:
              url: "redis://127.0.0.1:6379"
              prefix: "portico-test-%s:"
              timeout: 2s
              on-failure: fail-closed
        """
            .formatted(UUID.randomUUID());
    GatewayFixture gw = start(p, quota, "");
    String body = CHAT.formatted(",\"max_tokens\":5");

    assertThat(post(gw, body).statusCode()).isEqualTo(200);
    Thread.sleep(100);
    HttpResponse<String> refused = post(gw, body);

    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(json(refused.body()).at("/error/type").asText()).isEqualTo("insufficient_quota");
    assertThat(refused.headers().firstValue("retry-after")).isPresent();
  }

  // ---------------------------------------------------------------- metrics

  @Test
  void exposesTokensCostAndTimeToFirstTokenAsMetrics() throws Exception {
    FakeProvider p = provider(streamWithUsage("Hi"));
    GatewayFixture gw =
        start(p, "", "admin:\n  address: 127.0.0.1:0\nmetrics:\n  per-consumer: true\n");

    stream(gw, CHAT.formatted(",\"stream\":true"));
    lastAi(gw, 1);

    String scrape = gw.admin("/metrics").body();
    String labels = "model=\"gpt-4o-2024-08-06\",provider=\"openai\"";
    assertThat(scrape)
        .contains("portico_ai_tokens_total{" + labels + ",type=\"prompt\"} 12.0")
        .contains("portico_ai_tokens_total{" + labels + ",type=\"completion\"} 3.0")
        .contains("portico_ai_cost_total{" + labels + "}")
        .contains("portico_ai_time_to_first_token_seconds_count{" + labels + "} 1")
        .contains("portico_ai_tokens_per_second_count{" + labels + "} 1")
        .contains("portico_consumer_ai_tokens_total{consumer=\"team-a\",type=\"prompt\"} 12.0");
  }
}
