package io.portico.observe.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.config.AccessLogConfig;
import io.portico.observe.ExchangeRecord;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The AI call's fields of an access-log line, present only on AI exchanges. */
class LineFormatterAiTest {

  private final LineFormatter formatter =
      new LineFormatter(
          AccessLogConfig.DEFAULT_FIELDS, new Redaction(Set.of(), Set.of(), "[REDACTED]"));

  private JsonNode line(ExchangeRecord r) throws Exception {
    return new ObjectMapper().readTree(formatter.format(r));
  }

  private static ExchangeRecord withAi(ExchangeRecord.Ai ai) {
    return Records.record("llm", 200).toBuilder()
        .consumer("team-a")
        .authenticatedBy("key-auth")
        .ai(ai)
        .build();
  }

  @Test
  void writesModelProviderTokensCostAndTimeToFirstToken() throws Exception {
    JsonNode line =
        line(
            withAi(
                new ExchangeRecord.Ai(
                    "gpt-4o",
                    "openai",
                    "gpt-4o-2024-08-06",
                    true,
                    12,
                    3,
                    15,
                    false,
                    0.00006,
                    41.25,
                    88.8,
                    -1,
                    null)));

    assertThat(line.path("consumer").asText()).isEqualTo("team-a");
    assertThat(line.path("ai_model").asText()).isEqualTo("gpt-4o");
    assertThat(line.path("ai_provider").asText()).isEqualTo("openai");
    assertThat(line.path("ai_provider_model").asText()).isEqualTo("gpt-4o-2024-08-06");
    assertThat(line.path("prompt_tokens").asLong()).isEqualTo(12);
    assertThat(line.path("completion_tokens").asLong()).isEqualTo(3);
    assertThat(line.path("total_tokens").asLong()).isEqualTo(15);
    assertThat(line.path("tokens_estimated").asBoolean(true)).isFalse();
    assertThat(line.path("cost").asDouble()).isEqualTo(0.00006);
    assertThat(line.path("ttft_ms").asDouble()).isEqualTo(41.25);
    assertThat(line.path("tokens_per_second").asDouble()).isEqualTo(88.8);
  }

  @Test
  void writesTheMaskedCountAndTheCacheVerdict() throws Exception {
    JsonNode line =
        line(
            withAi(
                new ExchangeRecord.Ai(
                    "gpt-4o", null, null, false, -1, -1, -1, false, -1, -1, -1, 2, "hit")));
    assertThat(line.path("ai_masked").asInt()).isEqualTo(2);
    assertThat(line.path("ai_cache").asText()).isEqualTo("hit");

    JsonNode nothingFound =
        line(
            withAi(
                new ExchangeRecord.Ai(
                    "gpt-4o", null, null, false, -1, -1, -1, false, -1, -1, -1, 0, null)));
    assertThat(nothingFound.path("ai_masked").isInt()).isTrue();
    assertThat(nothingFound.path("ai_masked").asInt()).isZero();

    JsonNode none =
        line(
            withAi(
                new ExchangeRecord.Ai(
                    "gpt-4o", null, null, false, -1, -1, -1, false, -1, -1, -1, -1, null)));
    assertThat(none.has("ai_masked")).isFalse();
    assertThat(none.has("ai_cache")).isFalse();
  }

  @Test
  void leavesTheAiFieldsOutOfOtherLinesAndUnknownValuesOutOfAiLines() throws Exception {
    JsonNode plain = line(Records.record("api", 200));
    assertThat(plain.has("ai_model")).isFalse();
    assertThat(plain.has("prompt_tokens")).isFalse();
    assertThat(plain.has("tokens_estimated")).isFalse();

    JsonNode unpriced =
        line(
            withAi(
                new ExchangeRecord.Ai(
                    "gpt-4o", null, null, false, -1, -1, -1, false, -1, -1, -1, -1, null)));
    assertThat(unpriced.path("ai_model").asText()).isEqualTo("gpt-4o");
    assertThat(unpriced.has("cost")).isFalse();
    assertThat(unpriced.has("prompt_tokens")).isFalse();
    assertThat(unpriced.has("ttft_ms")).isFalse();
    assertThat(unpriced.has("ai_masked")).isFalse();
  }
}
