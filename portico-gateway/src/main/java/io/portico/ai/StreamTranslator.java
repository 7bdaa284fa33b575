package io.portico.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Turns a provider's streamed events into OpenAI chat-completion chunks, one stream at a time.
 * Confined to the exchange's event loop.
 */
interface StreamTranslator {

  /**
   * Translates one provider event into zero or more {@code data:} payloads for the client (each a
   * JSON chunk, or {@code [DONE]}).
   *
   * @throws ProviderAdapter.InvalidAnswer when the event is not the provider's format
   * @throws StreamError when the provider reports an error inside the stream
   */
  void onEvent(SseEvent event, List<String> out) throws ProviderAdapter.InvalidAnswer, StreamError;

  /**
   * The provider's stream ended cleanly (its body is complete): adds what completes the client's
   * stream, and tells whether the answer was complete.
   */
  boolean onEnd(List<String> out);

  /** The usage the provider reported, or null. */
  Usage usage();

  /**
   * The JSON object a provider's stream event carries.
   *
   * @throws ProviderAdapter.InvalidAnswer when {@code data} is not a JSON object
   */
  static JsonNode eventObject(String data) throws ProviderAdapter.InvalidAnswer {
    JsonNode n = Json.parseWhole(data);
    if (n == null || !n.isObject()) {
      throw new ProviderAdapter.InvalidAnswer("sent a stream event that is not JSON");
    }
    return n;
  }

  /**
   * What every OpenAI chunk begins with: its {@code id}, {@code object}, {@code created}, model.
   */
  static ObjectNode chunkHead(String id, long created, String model) {
    ObjectNode c = Json.object();
    c.put("id", id);
    c.put("object", "chat.completion.chunk");
    c.put("created", created);
    c.put("model", model);
    return c;
  }

  /** An error the provider reported inside its stream. */
  final class StreamError extends Exception {
    private static final long serialVersionUID = 1L;

    StreamError(String message) {
      super(message, null, false, false);
    }
  }
}
