package io.portico.ai;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The API a client speaks to the AI gateway: OpenAI's ({@link OpenAiFront}) or Anthropic's Messages
 * API ({@link AnthropicFront}). A front turns the client's body into the internal request (OpenAI's
 * shape, which every {@link ProviderAdapter} translates from), and the internal answer (an OpenAI
 * chat completion, or its chunks) and the gateway's errors back into the client's shape. Providers
 * and fronts are independent: any front over any provider.
 *
 * <p>Fronts are stateless and shared; a streamed answer's state lives in its {@link Stream}, which
 * is confined to the exchange's event loop.
 */
interface Front {

  /** Checks {@code body} (null when empty) and makes the internal request of {@code operation}. */
  ClientRequest.Parsed parse(
      ClientRequest.Operation operation, @Nullable JsonNode body, long size, AiPlan plan);

  /**
   * The whole answer for the client from the internal one (a chat completion or embeddings list);
   * takes {@code completion} and returns a buffer the caller owns (it may be the same).
   *
   * @param usage the call's tokens, the gateway's count where the provider reported none
   */
  ByteBuf answer(ByteBuf completion, ClientRequest request, Usage usage);

  /** A translator of one streamed answer's chunks into the client's server-sent events. */
  Stream stream(ClientRequest request, Supplier<Usage> usage);

  /** The body of an error answer. */
  JsonNode error(AiError error);

  /** One streamed answer in the client's events. */
  interface Stream {
    /**
     * Adds the complete server-sent events ({@code data: …\n\n}, with {@code event:} lines where
     * the front names its events) for one internal payload: an OpenAI chunk's JSON or {@code
     * [DONE]}.
     */
    void onData(String data, List<String> frames);

    /** Adds the event that ends a stream cut by {@code error}. */
    void onError(AiError error, List<String> frames);
  }
}
