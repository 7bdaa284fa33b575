package io.portico.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portico.observe.ExchangeRecord;
import io.portico.testing.GatewayFixture;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Token limits against numbers chosen to break them: a client's {@code max_tokens} that would
 * overflow the estimate, and a provider whose usage lies (a total below its own counts, counts that
 * overflow a sum or a {@code long}). A gateway in-process, a fake provider on a real socket, a
 * token limit of 1000 per minute counted locally.
 */
class AiTokenAbuseTest {

  private static final String CHAT =
      "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]%s}";
  private static final String LIMIT =
      """
      token-limits:
        - name: team
          key: consumer
          limits: [ { tokens: 1000, window: 1m } ]
      """;

  private final List<AutoCloseable> closing = new ArrayList<>();
  private FakeProvider provider;

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private static String answer(String usage) {
    return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,"
        + "\"model\":\"gpt-x\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
        + "\"content\":\"Hello!\"},\"finish_reason\":\"stop\"}],\"usage\":"
        + usage
        + "}";
  }

  private GatewayFixture start(FakeProvider.Script script) throws Exception {
    return start(script, "");
  }

  /** A gateway whose model gpt-4o has {@code modelOptions} (such as {@code timeout: 1s, }). */
  private GatewayFixture start(FakeProvider.Script script, String modelOptions) throws Exception {
    FakeProvider p = new FakeProvider(script);
    closing.add(p);
    provider = p;
    String yaml =
        """
        ai:
          providers:
            - { name: openai, kind: openai, base-url: "%s" }
          models:
            - { name: gpt-4o, %stargets: [ { provider: openai, model: gpt-4o-2024-08-06 } ] }
        %s
        """
                .formatted(p.baseUrl("/v1"), modelOptions, LIMIT.indent(2))
            + AiCaller.routeAndConsumer();
    GatewayFixture gw = GatewayFixture.start(yaml);
    closing.add(gw);
    return gw;
  }

  private static HttpResponse<String> post(GatewayFixture gw, String body) throws Exception {
    return AiCaller.post(gw, "/v1/chat/completions", body);
  }

  private static long remaining(HttpResponse<String> r) {
    return Long.parseLong(r.headers().firstValue("x-ratelimit-remaining-tokens").orElseThrow());
  }

  @Test
  void aMaxTokensNearLongMaxIsAnEstimateAboveTheLimitNotACredit() throws Exception {
    GatewayFixture gw =
        start(
            (r, out) ->
                out.json(
                    200,
                    answer("{\"prompt_tokens\":10,\"completion_tokens\":5,\"total_tokens\":15}")));

    // prompt + Long.MAX_VALUE wrapped to a negative estimate: admitted, and counted as given back
    HttpResponse<String> huge = post(gw, CHAT.formatted(",\"max_tokens\":9223372036854775807"));
    assertThat(huge.statusCode()).isEqualTo(429);
    HttpResponse<String> big = post(gw, CHAT.formatted(",\"max_tokens\":9223372036854775000"));
    assertThat(big.statusCode()).isEqualTo(429);

    HttpResponse<String> normal = post(gw, CHAT.formatted(",\"max_tokens\":5"));
    assertThat(normal.statusCode()).isEqualTo(200);
    assertThat(remaining(normal)).isBetween(0L, 1000L);
  }

  @Test
  void anEstimateCountsEveryChoiceTheRequestAsksFor() throws Exception {
    GatewayFixture gw =
        start(
            (r, out) ->
                out.json(
                    200,
                    answer("{\"prompt_tokens\":10,\"completion_tokens\":5,\"total_tokens\":15}")));

    // 20 choices of up to 100 tokens: 2000 completion tokens, over the limit of 1000
    HttpResponse<String> many = post(gw, CHAT.formatted(",\"max_tokens\":100,\"n\":20"));
    assertThat(many.statusCode()).isEqualTo(429);
    assertThat(many.body()).contains("Requested 20");
    HttpResponse<String> huge =
        post(gw, CHAT.formatted(",\"max_tokens\":100,\"n\":9223372036854775807"));
    assertThat(huge.statusCode()).isEqualTo(429);

    HttpResponse<String> one = post(gw, CHAT.formatted(",\"max_tokens\":100,\"n\":1"));
    assertThat(one.statusCode()).isEqualTo(200);
  }

  @Test
  void aProviderThatGoesSilentMidStreamIsSettledWithWhatWasStreamed() throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    GatewayFixture gw =
        start(
            (r, out) -> {
              out.events();
              out.event(null, AiGatewayEndToEndTest.chunk("Hel"));
              done.await(5, TimeUnit.SECONDS); // no usage, no [DONE], no end
            },
            "timeout: 300ms, ");
    // each call is estimated at more than half the budget: a reservation kept whole would refuse
    // the second
    String body = CHAT.formatted(",\"stream\":true,\"max_tokens\":600");

    HttpResponse<Stream<String>> first = AiCaller.postStreaming(gw, body);
    List<String> data = AiCaller.dataLines(first);
    done.countDown();
    assertThat(data.get(data.size() - 1)).contains("\"timeout\"");
    await().atMost(Duration.ofSeconds(5)).until(() -> gw.records().size() >= 1);
    ExchangeRecord.Ai ai = gw.records().get(0).ai();
    assertThat(ai).isNotNull();
    assertThat(ai.estimated()).isTrue();
    assertThat(ai.completionTokens())
        .isEqualTo(TokenCounter.count(TokenCounter.encoding("gpt-4o-2024-08-06"), "Hel"));

    HttpResponse<String> second = post(gw, CHAT.formatted(",\"max_tokens\":600"));
    assertThat(second.statusCode()).isNotEqualTo(429);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "stream|,\"stream\":\"yes\"",
        "stream|,\"stream\":1",
        "stream_options|,\"stream\":true,\"stream_options\":\"include_usage\"",
        "stream_options.include_usage|,\"stream_options\":{\"include_usage\":\"true\"}",
        "n|,\"max_tokens\":600,\"n\":\"20\"",
        "max_tokens|,\"max_tokens\":\"100000\"",
        "max_completion_tokens|,\"max_completion_tokens\":1.5e9",
      })
  void aFieldOfTheWrongTypeIsRefusedBeforeAnyProviderReadsIt(String caseText) throws Exception {
    String[] c = caseText.split("\\|", 2);
    GatewayFixture gw =
        start(
            (r, out) ->
                out.json(
                    200,
                    answer("{\"prompt_tokens\":10,\"completion_tokens\":5,\"total_tokens\":15}")));

    HttpResponse<String> r = post(gw, CHAT.formatted(c[1]));

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("\"code\":\"invalid_type\"", "\"param\":\"" + c[0] + "\"");
    assertThat(provider.received()).isEmpty();
  }

  @Test
  void anAnthropicStreamFieldOfTheWrongTypeIsRefused() throws Exception {
    GatewayFixture gw = start((r, out) -> out.json(200, answer("null")));

    HttpResponse<String> r =
        AiCaller.post(
            gw,
            "/v1/messages",
            "{\"model\":\"gpt-4o\",\"max_tokens\":5,\"stream\":\"yes\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("stream");
    assertThat(provider.received()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        // a total below the counts it sums
        "{\"prompt_tokens\":10,\"completion_tokens\":990,\"total_tokens\":0}",
        // counts whose sum overflows a long
        "{\"prompt_tokens\":9223372036854775807,\"completion_tokens\":10}",
        // a count beyond a long, which Jackson's asLong wraps to its low 64 bits (here 0)
        "{\"prompt_tokens\":10,\"completion_tokens\":18446744073709551616,"
            + "\"total_tokens\":18446744073709551626}",
      })
  void aProvidersUsageThatLiesStillSpendsTheBudget(String usage) throws Exception {
    GatewayFixture gw = start((r, out) -> out.json(200, answer(usage)));
    String body = CHAT.formatted(",\"max_tokens\":5");

    assertThat(post(gw, body).statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(5)).until(() -> gw.records().size() >= 1);
    ExchangeRecord.Ai ai = gw.records().get(0).ai();
    assertThat(ai).isNotNull();
    assertThat(ai.totalTokens()).isGreaterThanOrEqualTo(1000);

    HttpResponse<String> next = post(gw, body);
    assertThat(next.statusCode()).isEqualTo(429);
  }
}
