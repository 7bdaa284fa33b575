package io.portico.ai;

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

  /** An error the provider reported inside its stream. */
  final class StreamError extends Exception {
    private static final long serialVersionUID = 1L;

    StreamError(String message) {
      super(message, null, false, false);
    }
  }
}
