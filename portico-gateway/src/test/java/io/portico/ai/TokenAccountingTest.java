package io.portico.ai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.portico.config.AiTokensConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tokenizer's counts, the price table's arithmetic and a local budget's settlement. */
class TokenAccountingTest {

  @Test
  void choosesTheVocabularyByModelFamily() {
    assertThat(TokenCounter.o200k("gpt-4o-mini")).isTrue();
    assertThat(TokenCounter.o200k("openai/gpt-4.1")).isTrue();
    assertThat(TokenCounter.o200k("o3-mini")).isTrue();
    assertThat(TokenCounter.o200k("gpt-4-turbo")).isFalse();
    assertThat(TokenCounter.o200k("claude-3-5-sonnet")).isFalse();
    // Known counts of OpenAI's vocabularies.
    assertThat(TokenCounter.count(TokenCounter.encoding("gpt-4"), "hello world")).isEqualTo(2);
    assertThat(TokenCounter.count(TokenCounter.encoding("gpt-4o"), "hello world")).isEqualTo(2);
    assertThat(
            TokenCounter.count(
                TokenCounter.encoding("gpt-4"), "antidisestablishmentarianism is a long word"))
        .isGreaterThan(5);
  }

  @Test
  void countsAChatPromptWithOpenAisMessageFraming() {
    JsonNode request =
        Json.parse(
            "{\"messages\":[{\"role\":\"system\",\"content\":\"You are a helpful assistant.\"},"
                + "{\"role\":\"user\",\"content\":\"Hello there\"}]}");
    var enc = TokenCounter.encoding("gpt-4");
    long expected =
        3
            + (3 + 1 + TokenCounter.count(enc, "You are a helpful assistant."))
            + (3 + 1 + TokenCounter.count(enc, "Hello there"));
    assertThat(TokenCounter.chatPrompt(enc, request)).isEqualTo(expected);
  }

  @Test
  void computesCostPerMillionTokensWithAProvidersWildcard() {
    PriceTable prices =
        new PriceTable(
            List.of(
                new AiTokensConfig.Price("openai", "gpt-4o", 2.5, 10),
                new AiTokensConfig.Price("local", "*", 0.1, 0.2)));

    assertThat(prices.cost("openai", "gpt-4o", new Usage(1_000_000, 500_000, 1_500_000)))
        .isEqualTo(7.5);
    assertThat(prices.cost("openai", "gpt-4o", new Usage(9, 2, 11)))
        .isEqualTo((9 * 2.5 + 2 * 10) / 1_000_000.0);
    assertThat(prices.cost("local", "llama3", new Usage(10, 0, 10))).isEqualTo(1e-6);
    assertThat(prices.cost("openai", "gpt-4o-mini", new Usage(10, 10, 20))).isEqualTo(-1);
  }

  @Test
  void refusesOverTheLimitAndGivesBackWhatACallDidNotUse() {
    AiTokensConfig config =
        new AiTokensConfig(
            100,
            List.of(
                new AiTokensConfig.Limit(
                    "tpm",
                    List.of(AiTokensConfig.KeyPart.GLOBAL),
                    List.of(new AiTokensConfig.Window("1m", 1000, Duration.ofMinutes(1))),
                    List.of(),
                    null,
                    1000)),
            List.of(),
            List.of());
    TokenBudget budget = TokenBudget.of(config, null);

    TokenBudget.Reservation first =
        budget.reserve(null, "r", "m", 700).toCompletableFuture().join();
    assertThat(first.refusal()).isNull();
    TokenBudget.Reservation refused =
        budget.reserve(null, "r", "m", 700).toCompletableFuture().join();
    assertThat(refused.refusal()).isNotNull();
    assertThat(refused.refusal().status().code()).isEqualTo(429);
    assertThat(refused.retryAfterSeconds()).isPositive();

    first.settle(100); // used 100 of the 700 charged: 600 come back
    TokenBudget.Reservation again =
        budget.reserve(null, "r", "m", 700).toCompletableFuture().join();
    assertThat(again.refusal()).isNull();
    io.netty.handler.codec.http.HttpHeaders h =
        new io.netty.handler.codec.http.DefaultHttpHeaders();
    again.headers(h);
    assertThat(h.get("x-ratelimit-limit-tokens")).isEqualTo("1000");
    assertThat(h.get("x-ratelimit-remaining-tokens")).isEqualTo("200");
  }
}
