package io.portico.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaders;
import org.jspecify.annotations.Nullable;

/**
 * Translation between the OpenAI wire format the front speaks and one provider's: the request, the
 * answer, the streamed events, the error body, and where the key goes. One implementation per
 * provider kind; stateless and shared (a stream's state lives in its {@link StreamTranslator}).
 */
interface ProviderAdapter {

  /**
   * A request as it goes to the provider.
   *
   * @param pathAndQuery the request-target, under the provider's base path
   */
  record Request(String pathAndQuery, JsonNode body) {}

  /** A request the provider cannot serve (embeddings on a chat-only provider). */
  final class Unsupported extends Exception {
    private static final long serialVersionUID = 1L;

    Unsupported(String message) {
      super(message, null, false, false);
    }
  }

  /** A provider answer that is not its wire format. */
  final class InvalidAnswer extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidAnswer(String message) {
      super(message, null, false, false);
    }
  }

  /** The chat request for {@code model} at the provider, from the client's OpenAI request. */
  Request chat(ObjectNode request, String model, boolean stream);

  /** The embeddings request for {@code model}. */
  Request embeddings(ObjectNode request, String model) throws Unsupported;

  /**
   * Puts the key where the provider expects it; {@code key} is null for a provider without keys.
   */
  void authorize(HttpHeaders headers, @Nullable String key);

  /** The provider's chat answer as an OpenAI chat completion. */
  ObjectNode chatAnswer(JsonNode answer, String model) throws InvalidAnswer;

  /** The provider's embeddings answer in OpenAI's shape. */
  default ObjectNode embeddingsAnswer(JsonNode answer, String model) throws InvalidAnswer {
    if (!answer.isObject() || !answer.has("data")) {
      throw new InvalidAnswer("answered an embeddings body without data");
    }
    return (ObjectNode) answer;
  }

  /** A translator for one streamed answer. */
  StreamTranslator stream(String model);

  /** The message of a provider's error body, or null when it has none. */
  default @Nullable String errorMessage(@Nullable JsonNode body) {
    if (body == null) {
      return null;
    }
    JsonNode error = body.get("error");
    if (error != null && error.isObject() && error.has("message")) {
      return error.get("message").asText();
    }
    if (error != null && error.isTextual()) {
      return error.asText();
    }
    return Json.string(body, "message");
  }
}
