package io.portico.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jspecify.annotations.Nullable;

/** Token counts a provider reported for one answer; -1 where it reported none. */
public record Usage(long promptTokens, long completionTokens, long totalTokens) {

  public static final Usage UNKNOWN = new Usage(-1, -1, -1);

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
    long p = usage.path("prompt_tokens").asLong(-1);
    long c = usage.path("completion_tokens").asLong(-1);
    long t = usage.path("total_tokens").asLong(p >= 0 && c >= 0 ? p + c : -1);
    return new Usage(p, c, t);
  }
}
