package io.portico.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.Locale;

/**
 * Counts tokens where a provider reports none: the prompt of a request before it is sent (for the
 * token limits' estimate), and the prompt and answer of a call whose provider gave no usage or
 * whose stream was cut. Uses OpenAI's BPE vocabularies (jtokkit): {@code o200k_base} for the GPT-4o
 * family and later ({@code gpt-4o}, {@code gpt-4.1}, {@code gpt-4.5}, {@code gpt-5}, {@code o1},
 * {@code o3}, {@code o4}), {@code cl100k_base} for every other model, which for models of other
 * vendors is an estimate of the same order. The vocabularies load once, on first use.
 *
 * <p>A chat prompt is counted as OpenAI documents it: each message's text plus 3 tokens of framing
 * per message (4 with a {@code name}), plus 3 that prime the answer. Thread-safe.
 */
final class TokenCounter {

  /** The longest text counted exactly; the rest of a longer one is estimated by its length. */
  static final int MAX_EXACT_CHARS = 1 << 20;

  private static final class Holder {
    static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();
  }

  private TokenCounter() {}

  /** The vocabulary of {@code model}. */
  static Encoding encoding(String model) {
    return Holder.REGISTRY.getEncoding(
        o200k(model) ? EncodingType.O200K_BASE : EncodingType.CL100K_BASE);
  }

  static boolean o200k(String model) {
    String m = model.toLowerCase(Locale.ROOT);
    int slash = m.lastIndexOf('/');
    if (slash >= 0) {
      m = m.substring(slash + 1);
    }
    return m.startsWith("gpt-4o")
        || m.startsWith("chatgpt-4o")
        || m.startsWith("gpt-4.1")
        || m.startsWith("gpt-4.5")
        || m.startsWith("gpt-5")
        || m.startsWith("o1")
        || m.startsWith("o3")
        || m.startsWith("o4");
  }

  /** The tokens of {@code text}. */
  static long count(Encoding encoding, CharSequence text) {
    if (text.length() == 0) {
      return 0;
    }
    if (text.length() <= MAX_EXACT_CHARS) {
      return encoding.countTokens(text.toString());
    }
    long head = encoding.countTokens(text.subSequence(0, MAX_EXACT_CHARS).toString());
    return head
        + (long) Math.ceil(head * (text.length() - MAX_EXACT_CHARS) / (double) MAX_EXACT_CHARS);
  }

  /** The prompt tokens of a chat request's {@code messages} (and {@code tools}, as JSON text). */
  static long chatPrompt(Encoding encoding, JsonNode request) {
    long tokens = 3;
    for (JsonNode message : request.path("messages")) {
      tokens += 3;
      tokens += count(encoding, message.path("role").asText(""));
      if (message.hasNonNull("name")) {
        tokens += 1 + count(encoding, message.get("name").asText());
      }
      tokens += contentTokens(encoding, message.get("content"));
      JsonNode calls = message.get("tool_calls");
      if (calls != null && !calls.isNull()) {
        tokens += count(encoding, calls.toString());
      }
    }
    JsonNode tools = request.get("tools");
    if (tools != null && tools.isArray() && !tools.isEmpty()) {
      tokens += count(encoding, tools.toString());
    }
    return tokens;
  }

  /** The tokens of an embeddings request's {@code input} (a string or an array of them). */
  static long embeddingsInput(Encoding encoding, JsonNode request) {
    JsonNode input = request.get("input");
    if (input == null) {
      return 0;
    }
    if (input.isTextual()) {
      return count(encoding, input.asText());
    }
    long tokens = 0;
    for (JsonNode item : input) {
      tokens +=
          item.isTextual() ? count(encoding, item.asText()) : item.isArray() ? item.size() : 0;
    }
    return tokens;
  }

  /** The text of a message's {@code content}: a string or an array of parts. */
  private static long contentTokens(Encoding encoding, JsonNode content) {
    if (content == null || content.isNull()) {
      return 0;
    }
    if (content.isTextual()) {
      return count(encoding, content.asText());
    }
    long tokens = 0;
    for (JsonNode part : content) {
      if (part.has("text")) {
        tokens += count(encoding, part.path("text").asText(""));
      } else if (part.has("image_url")) {
        tokens += 85; // OpenAI's base cost of an image at low detail
      }
    }
    return tokens;
  }

  /** The answer tokens of an OpenAI chat completion: each choice's content and tool calls. */
  static long chatAnswer(Encoding encoding, JsonNode completion) {
    long tokens = 0;
    for (JsonNode choice : completion.path("choices")) {
      JsonNode message = choice.path("message");
      tokens += contentTokens(encoding, message.get("content"));
      JsonNode calls = message.get("tool_calls");
      if (calls != null && !calls.isNull()) {
        tokens += count(encoding, calls.toString());
      }
    }
    return tokens;
  }
}
