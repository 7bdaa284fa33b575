package io.portico.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jspecify.annotations.Nullable;

/**
 * Token counts a provider reported for one answer; -1 where it reported none.
 *
 * <p>A provider's numbers are not trusted as written: a negative count is an unknown one (-1), a
 * count is capped at {@link #MAX_COUNT}, and the total is never less than the prompt and completion
 * it sums. A provider answering {@code total_tokens: 0} beside thousands of completion tokens, or a
 * count near {@link Long#MAX_VALUE} that would overflow the sum to a negative one, would otherwise
 * settle a call at nothing and give its estimate back to the token limits.
 */
public record Usage(long promptTokens, long completionTokens, long totalTokens) {

  /**
   * The largest count the gateway keeps: the largest token limit a config may set, so that a sum of
   * two counts never overflows and a capped count is still above every limit.
   */
  public static final long MAX_COUNT = Long.MAX_VALUE / 4;

  public static final Usage UNKNOWN = new Usage(-1, -1, -1);

  public Usage {
    promptTokens = count(promptTokens);
    completionTokens = count(completionTokens);
    totalTokens = count(totalTokens);
    if (promptTokens >= 0 && completionTokens >= 0) {
      totalTokens = Math.max(totalTokens, sum(promptTokens, completionTokens));
    }
  }

  /** {@code a + b} for two counts, saturating at {@link #MAX_COUNT}. */
  static long sum(long a, long b) {
    return Math.min(MAX_COUNT, Math.max(0, count(a)) + Math.max(0, count(b)));
  }

  private static long count(long n) {
    return n < 0 ? -1 : Math.min(n, MAX_COUNT);
  }

  /** Whether both counts are known. */
  boolean complete() {
    return promptTokens >= 0 && completionTokens >= 0;
  }

  /**
   * OpenAI's usage-only chunk that ends a stream whose client asked for {@code
   * stream_options.include_usage}: no choices, this usage.
   */
  String chunk(String id, long created, String model) {
    ObjectNode c = StreamTranslator.chunkHead(id, created, model);
    c.putArray("choices");
    c.putObject("usage")
        .put("prompt_tokens", promptTokens)
        .put("completion_tokens", completionTokens)
        .put("total_tokens", totalTokens >= 0 ? totalTokens : promptTokens + completionTokens);
    return Json.text(c);
  }

  /** From an OpenAI {@code usage} object, or {@link #UNKNOWN}. */
  static Usage ofOpenAi(@Nullable JsonNode usage) {
    if (usage == null || !usage.isObject()) {
      return UNKNOWN;
    }
    return new Usage(
        count(usage.get("prompt_tokens")),
        count(usage.get("completion_tokens")),
        count(usage.get("total_tokens")));
  }

  /**
   * A count from a provider's JSON: -1 when absent or not a number; an integer beyond {@code long}
   * saturates rather than wrapping (Jackson's {@code asLong} keeps its low 64 bits, so 2^64 would
   * read as 0).
   */
  static long count(@Nullable JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return -1;
    }
    if (n.isNumber() && !n.canConvertToLong()) {
      return n.asDouble() > 0 ? MAX_COUNT : -1;
    }
    return n.asLong(-1);
  }
}
