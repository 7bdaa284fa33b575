package io.portico.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.api.Encoding;
import java.util.List;

/**
 * A provider's {@link StreamTranslator} with the gateway's own accounting around it: counts the
 * tokens of every answer fragment written to the client (the content and tool-call arguments of
 * each chunk's deltas), so a stream whose provider reports no usage, or that is cut before it does,
 * still has a count; and drops the usage-only chunk that the gateway asked an OpenAI-compatible
 * provider for ({@code stream_options.include_usage}) when the client did not ask for it itself.
 *
 * <p>Each fragment is counted alone, which may count a token split across two events twice:
 * providers stream whole tokens, so the difference is small, and the count is marked estimated.
 * Confined to the exchange's event loop.
 */
final class CountedStream implements StreamTranslator {

  private final StreamTranslator inner;
  private final Encoding encoding;
  private final boolean forwardUsage;
  private long answerTokens;

  CountedStream(StreamTranslator inner, Encoding encoding, boolean forwardUsage) {
    this.inner = inner;
    this.encoding = encoding;
    this.forwardUsage = forwardUsage;
  }

  @Override
  public void onEvent(SseEvent event, List<String> out)
      throws ProviderAdapter.InvalidAnswer, StreamError {
    int from = out.size();
    inner.onEvent(event, out);
    count(out, from);
  }

  /** Counts the fragments of the payloads added from {@code from}, dropping an unasked usage. */
  private void count(List<String> out, int from) {
    for (int i = from; i < out.size(); i++) {
      String data = out.get(i);
      if (data.equals("[DONE]")) {
        continue;
      }
      JsonNode chunk = Json.parse(data);
      if (chunk == null) {
        continue;
      }
      JsonNode choices = chunk.path("choices");
      if (!forwardUsage && chunk.path("usage").isObject() && choices.isEmpty()) {
        out.remove(i--);
        continue;
      }
      for (JsonNode choice : choices) {
        JsonNode delta = choice.path("delta");
        JsonNode content = delta.get("content");
        if (content != null && content.isTextual()) {
          answerTokens += TokenCounter.count(encoding, content.asText());
        }
        for (JsonNode call : delta.path("tool_calls")) {
          JsonNode args = call.path("function").get("arguments");
          if (args != null && args.isTextual()) {
            answerTokens += TokenCounter.count(encoding, args.asText());
          }
        }
      }
    }
  }

  @Override
  public boolean onEnd(List<String> out) {
    int from = out.size();
    boolean complete = inner.onEnd(out);
    count(out, from);
    return complete;
  }

  @Override
  public Usage usage() {
    return inner.usage();
  }

  /** The tokens of the answer written so far, as counted by the gateway. */
  long answerTokens() {
    return answerTokens;
  }
}
