package io.portico.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * OpenAI and any OpenAI-compatible endpoint (Mistral, DeepSeek, Groq, OpenRouter, vLLM, Ollama):
 * the client's request goes as it is with the target's model name (and, for a stream, with {@code
 * stream_options.include_usage} so that the provider reports the stream's usage); the key goes as a
 * bearer token; answers and stream events are relayed as they are, after checking they are JSON.
 */
class OpenAiAdapter implements ProviderAdapter {

  private final String basePath;

  OpenAiAdapter(String basePath) {
    this.basePath = basePath;
  }

  /** Where a request for {@code model} and {@code operation} ({@code chat/completions}) goes. */
  String path(String model, String operation) {
    return basePath + "/" + operation;
  }

  @Override
  public Request chat(ObjectNode request, String model, boolean stream) {
    ObjectNode body = request.deepCopy();
    body.put("model", model);
    body.remove(AnthropicFront.NOT_FOR_OPENAI);
    for (JsonNode m : body.path("messages")) {
      if (m instanceof ObjectNode message) {
        message.remove(AnthropicFront.THINKING_BLOCKS);
      }
    }
    if (stream) {
      // The usage of a streamed answer comes only when asked for, in a last chunk of its own.
      JsonNode options = body.get("stream_options");
      ObjectNode o = options instanceof ObjectNode on ? on : body.putObject("stream_options");
      o.put("include_usage", true);
    }
    return new Request(path(model, "chat/completions"), body);
  }

  @Override
  public Request embeddings(ObjectNode request, String model) {
    ObjectNode body = request.deepCopy();
    body.put("model", model);
    return new Request(path(model, "embeddings"), body);
  }

  @Override
  public void authorize(HttpHeaders headers, @Nullable String key) {
    if (key != null) {
      headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + key);
    }
  }

  @Override
  public ObjectNode chatAnswer(JsonNode answer, String model) throws InvalidAnswer {
    if (!answer.isObject() || !answer.path("choices").isArray()) {
      throw new InvalidAnswer("answered a chat completion without choices");
    }
    return (ObjectNode) answer;
  }

  @Override
  public StreamTranslator stream(String model) {
    return new Relay();
  }

  /** Relays OpenAI chunks as they are; reads usage; {@code [DONE]} completes the stream. */
  static final class Relay implements StreamTranslator {
    private boolean done;
    private Usage usage = Usage.UNKNOWN;

    @Override
    public void onEvent(SseEvent event, List<String> out) throws InvalidAnswer, StreamError {
      String data = event.data().trim();
      if (data.isEmpty()) {
        return;
      }
      if (data.equals("[DONE]")) {
        done = true;
        out.add("[DONE]");
        return;
      }
      JsonNode chunk = StreamTranslator.eventObject(data);
      JsonNode error = chunk.get("error");
      if (error != null && !error.isNull()) {
        throw new StreamError(
            error.isObject() ? error.path("message").asText("error") : error.asText());
      }
      if (chunk.has("usage") && chunk.get("usage").isObject()) {
        usage = Usage.ofOpenAi(chunk.get("usage"));
      }
      out.add(data);
    }

    @Override
    public boolean onEnd(List<String> out) {
      return done;
    }

    @Override
    public Usage usage() {
      return usage;
    }
  }
}
