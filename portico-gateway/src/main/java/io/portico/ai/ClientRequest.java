package io.portico.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.jspecify.annotations.Nullable;

/**
 * A client's request once its {@link Front} has read and checked it: what to ask which model, in
 * the gateway's internal shape (an OpenAI chat-completions or embeddings body, whatever API the
 * client spoke), and how the client wants the answer. Immutable once made, except the body, which
 * the route's guard may mask before the call; confined to the exchange's event loop.
 */
final class ClientRequest {

  /** What the client asked for. */
  enum Operation {
    CHAT,
    EMBEDDINGS,
    /** Anthropic's {@code count_tokens}: the prompt's tokens, no provider call. */
    COUNT_TOKENS
  }

  /** A parsed request, or why it is refused: exactly one is set. */
  record Parsed(@Nullable ClientRequest request, @Nullable AiError error) {
    static Parsed of(ClientRequest request) {
      return new Parsed(request, null);
    }

    static Parsed refused(AiError error) {
      return new Parsed(null, error);
    }
  }

  private final Operation operation;
  private final ObjectNode body;
  private final AiPlan.Model model;
  private final boolean stream;
  private final boolean usageChunk;

  /**
   * @param body the request in OpenAI's shape, as it goes to the provider adapters
   * @param usageChunk whether the streamed answer ends with OpenAI's usage-only chunk ({@code
   *     stream_options.include_usage}, or a front that reads the usage from it)
   */
  ClientRequest(
      Operation operation,
      ObjectNode body,
      AiPlan.Model model,
      boolean stream,
      boolean usageChunk) {
    this.operation = operation;
    this.body = body;
    this.model = model;
    this.stream = stream;
    this.usageChunk = usageChunk;
  }

  Operation operation() {
    return operation;
  }

  ObjectNode body() {
    return body;
  }

  AiPlan.Model model() {
    return model;
  }

  boolean stream() {
    return stream;
  }

  boolean usageChunk() {
    return usageChunk;
  }

  /** The body as JSON, null when empty; {@code bytes} (may be null) is released. */
  static @Nullable JsonNode readJson(@Nullable ByteBuf bytes) throws IOException {
    if (bytes == null) {
      return null;
    }
    if (!bytes.isReadable()) {
      bytes.release();
      return null;
    }
    try (ByteBufInputStream in = new ByteBufInputStream(bytes, true)) {
      return Json.MAPPER.readTree((InputStream) in);
    }
  }
}
