package io.portico.ai;

import com.fasterxml.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/** Token counts a provider reported for one answer; -1 where it reported none. */
public record Usage(long promptTokens, long completionTokens, long totalTokens) {

  public static final Usage UNKNOWN = new Usage(-1, -1, -1);

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
