package io.portico.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Anthropic's Messages API ({@code POST /messages}): system messages become the {@code system}
 * prompt, {@code tool} messages become {@code tool_result} blocks and assistant {@code tool_calls}
 * become {@code tool_use} blocks; consecutive messages of one role are merged, as the API wants
 * turns to alternate. Answers and stream events ({@code message_start}, {@code
 * content_block_start}, {@code content_block_delta}, {@code message_delta}, {@code message_stop},
 * {@code error}) become OpenAI completions and chunks; stop reasons map to OpenAI's finish reasons.
 */
final class AnthropicAdapter implements ProviderAdapter {

  static final String VERSION = "2023-06-01";
  static final int DEFAULT_MAX_TOKENS = 4096;
  private static final AsciiString X_API_KEY = AsciiString.cached("x-api-key");
  private static final AsciiString ANTHROPIC_VERSION = AsciiString.cached("anthropic-version");

  private final String basePath;

  AnthropicAdapter(String basePath) {
    this.basePath = basePath;
  }

  @Override
  public Request chat(ObjectNode request, String model, boolean stream) {
    ObjectNode body = Json.object();
    body.put("model", model);
    StringBuilder system = new StringBuilder();
    ArrayNode messages = body.putArray("messages");
    for (JsonNode m : request.path("messages")) {
      String role = m.path("role").asText("user");
      switch (role) {
        case "system", "developer" -> {
          if (system.length() > 0) {
            system.append("\n\n");
          }
          system.append(Json.contentText(m.get("content")));
        }
        case "assistant" -> append(messages, "assistant", assistantBlocks(m));
        case "tool" -> {
          ObjectNode block = Json.object();
          block.put("type", "tool_result");
          block.put("tool_use_id", m.path("tool_call_id").asText(""));
          block.put("content", Json.contentText(m.get("content")));
          ArrayNode blocks = Json.array();
          blocks.add(block);
          append(messages, "user", blocks);
        }
        default -> append(messages, "user", userBlocks(m.get("content")));
      }
    }
    if (system.length() > 0) {
      body.put("system", system.toString());
    }
    JsonNode max =
        request.has("max_completion_tokens")
            ? request.get("max_completion_tokens")
            : request.get("max_tokens");
    body.put("max_tokens", max != null && max.canConvertToInt() ? max.asInt() : DEFAULT_MAX_TOKENS);
    copy(request, "temperature", body, "temperature");
    copy(request, "top_p", body, "top_p");
    copy(request, "top_k", body, "top_k");
    copy(request, "thinking", body, "thinking");
    JsonNode stop = request.get("stop");
    if (stop != null && stop.isTextual()) {
      body.putArray("stop_sequences").add(stop.asText());
    } else if (stop != null && stop.isArray()) {
      body.set("stop_sequences", stop.deepCopy());
    }
    JsonNode tools = request.get("tools");
    if (tools != null && tools.isArray() && !tools.isEmpty()) {
      ArrayNode out = body.putArray("tools");
      for (JsonNode t : tools) {
        JsonNode f = t.path("function");
        ObjectNode tool = out.addObject();
        tool.put("name", f.path("name").asText());
        if (f.has("description")) {
          tool.put("description", f.get("description").asText());
        }
        tool.set(
            "input_schema",
            f.has("parameters")
                ? f.get("parameters").deepCopy()
                : Json.object().put("type", "object"));
      }
      JsonNode choice = request.get("tool_choice");
      if (choice != null && choice.isTextual()) {
        switch (choice.asText()) {
          case "required" -> body.putObject("tool_choice").put("type", "any");
          case "none" -> body.putObject("tool_choice").put("type", "none");
          default -> body.putObject("tool_choice").put("type", "auto");
        }
      } else if (choice != null && choice.isObject()) {
        body.putObject("tool_choice")
            .put("type", "tool")
            .put("name", choice.path("function").path("name").asText());
      }
    }
    String user = Json.string(request, "user");
    if (user != null) {
      body.putObject("metadata").put("user_id", user);
    }
    if (stream) {
      body.put("stream", true);
    }
    return new Request(basePath + "/messages", body);
  }

  private static void append(ArrayNode messages, String role, ArrayNode blocks) {
    if (!messages.isEmpty()) {
      ObjectNode last = (ObjectNode) messages.get(messages.size() - 1);
      if (role.equals(last.path("role").asText())) {
        ((ArrayNode) last.get("content")).addAll(blocks);
        return;
      }
    }
    ObjectNode m = messages.addObject();
    m.put("role", role);
    m.set("content", blocks);
  }

  private static ArrayNode userBlocks(@Nullable JsonNode content) {
    ArrayNode blocks = Json.array();
    if (content != null && content.isArray()) {
      for (JsonNode part : content) {
        String type = part.path("type").asText();
        if (type.equals("text")) {
          blocks.addObject().put("type", "text").put("text", part.path("text").asText());
        } else if (type.equals("image_url")) {
          String url = part.path("image_url").path("url").asText();
          ObjectNode source = blocks.addObject().put("type", "image").putObject("source");
          int comma = url.indexOf(',');
          if (url.startsWith("data:") && comma > 0 && url.substring(0, comma).endsWith(";base64")) {
            source.put("type", "base64");
            source.put("media_type", url.substring(5, url.indexOf(';')));
            source.put("data", url.substring(comma + 1));
          } else {
            source.put("type", "url");
            source.put("url", url);
          }
        }
      }
    } else {
      blocks.addObject().put("type", "text").put("text", Json.contentText(content));
    }
    return blocks;
  }

  private static ArrayNode assistantBlocks(JsonNode m) {
    ArrayNode blocks = Json.array();
    // Thinking blocks come first in the turn, as Anthropic returned them.
    for (JsonNode thought : m.path(AnthropicFront.THINKING_BLOCKS)) {
      blocks.add(thought.deepCopy());
    }
    String text = Json.contentText(m.get("content"));
    if (!text.isEmpty()) {
      blocks.addObject().put("type", "text").put("text", text);
    }
    for (JsonNode call : m.path("tool_calls")) {
      ObjectNode use = blocks.addObject();
      use.put("type", "tool_use");
      use.put("id", call.path("id").asText());
      use.put("name", call.path("function").path("name").asText());
      JsonNode args = Json.parse(call.path("function").path("arguments").asText("{}"));
      use.set("input", args != null && args.isObject() ? args : Json.object());
    }
    return blocks;
  }

  private static void copy(JsonNode from, String field, ObjectNode to, String as) {
    JsonNode v = from.get(field);
    if (v != null && !v.isNull()) {
      to.set(as, v.deepCopy());
    }
  }

  @Override
  public Request embeddings(ObjectNode request, String model) throws Unsupported {
    throw new Unsupported("Anthropic has no embeddings API");
  }

  @Override
  public void authorize(HttpHeaders headers, @Nullable String key) {
    if (key != null) {
      headers.set(X_API_KEY, key);
    }
    headers.set(ANTHROPIC_VERSION, VERSION);
  }

  @Override
  public ObjectNode chatAnswer(JsonNode answer, String model) throws InvalidAnswer {
    if (!answer.isObject() || !answer.path("content").isArray()) {
      throw new InvalidAnswer("answered a message without content");
    }
    ObjectNode out = Json.object();
    out.put("id", "chatcmpl-" + answer.path("id").asText(""));
    out.put("object", "chat.completion");
    out.put("created", System.currentTimeMillis() / 1000);
    out.put("model", answer.path("model").asText(model));
    ObjectNode choice = out.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", "assistant");
    StringBuilder text = new StringBuilder();
    ArrayNode calls = null;
    for (JsonNode block : answer.get("content")) {
      String type = block.path("type").asText();
      if (type.equals("text")) {
        text.append(block.path("text").asText());
      } else if (type.equals("tool_use")) {
        if (calls == null) {
          calls = Json.array();
        }
        ObjectNode call = calls.addObject();
        call.put("id", block.path("id").asText());
        call.put("type", "function");
        call.putObject("function")
            .put("name", block.path("name").asText())
            .put("arguments", Json.text(block.path("input")));
      }
    }
    if (text.length() > 0 || calls == null) {
      message.put("content", text.toString());
    } else {
      message.putNull("content");
    }
    if (calls != null) {
      message.set("tool_calls", calls);
    }
    choice.put("finish_reason", finishReason(answer.path("stop_reason").asText(null)));
    JsonNode usage = answer.get("usage");
    if (usage != null && usage.isObject()) {
      long in = Math.max(0, Usage.count(usage.get("input_tokens")));
      long outTokens = Math.max(0, Usage.count(usage.get("output_tokens")));
      out.putObject("usage")
          .put("prompt_tokens", in)
          .put("completion_tokens", outTokens)
          .put("total_tokens", Usage.sum(in, outTokens));
    }
    return out;
  }

  static @Nullable String finishReason(@Nullable String stopReason) {
    if (stopReason == null) {
      return null;
    }
    return switch (stopReason) {
      case "max_tokens", "model_context_window_exceeded" -> "length";
      case "tool_use" -> "tool_calls";
      case "refusal" -> "content_filter";
      default -> "stop";
    };
  }

  @Override
  public StreamTranslator stream(String model) {
    return new Stream(model);
  }

  /** Anthropic's stream events as OpenAI chunks. */
  private static final class Stream implements StreamTranslator {
    private final String model;
    private String id = "chatcmpl-anthropic";
    private String answerModel;
    private final long created = System.currentTimeMillis() / 1000;
    private long inputTokens = -1;
    private long outputTokens = -1;
    private int toolIndex = -1;
    private boolean toolBlock;
    private boolean done;

    Stream(String model) {
      this.model = model;
      this.answerModel = model;
    }

    @Override
    public void onEvent(SseEvent event, List<String> out) throws InvalidAnswer, StreamError {
      if (event.data().isBlank()) {
        return;
      }
      JsonNode data = StreamTranslator.eventObject(event.data());
      String type = event.event() != null ? event.event() : data.path("type").asText();
      switch (type) {
        case "message_start" -> {
          JsonNode message = data.path("message");
          id = "chatcmpl-" + message.path("id").asText("");
          answerModel = message.path("model").asText(model);
          inputTokens = Usage.count(message.path("usage").get("input_tokens"));
          ObjectNode delta = Json.object().put("role", "assistant").put("content", "");
          out.add(chunk(delta, null));
        }
        case "content_block_start" -> {
          JsonNode block = data.path("content_block");
          toolBlock = "tool_use".equals(block.path("type").asText());
          if (toolBlock) {
            toolIndex++;
            ObjectNode call = Json.object();
            call.put("index", toolIndex);
            call.put("id", block.path("id").asText());
            call.put("type", "function");
            call.putObject("function")
                .put("name", block.path("name").asText())
                .put("arguments", "");
            ObjectNode delta = Json.object();
            delta.putArray("tool_calls").add(call);
            out.add(chunk(delta, null));
          }
        }
        case "content_block_delta" -> {
          JsonNode d = data.path("delta");
          String kind = d.path("type").asText();
          if (kind.equals("text_delta")) {
            out.add(chunk(Json.object().put("content", d.path("text").asText()), null));
          } else if (kind.equals("input_json_delta")) {
            ObjectNode call = Json.object();
            call.put("index", Math.max(0, toolIndex));
            call.putObject("function").put("arguments", d.path("partial_json").asText());
            ObjectNode delta = Json.object();
            delta.putArray("tool_calls").add(call);
            out.add(chunk(delta, null));
          }
        }
        case "message_delta" -> {
          JsonNode usage = data.path("usage");
          if (usage.has("output_tokens")) {
            outputTokens = Usage.count(usage.get("output_tokens"));
          }
          if (usage.has("input_tokens")) {
            inputTokens = Usage.count(usage.get("input_tokens"));
          }
          String reason = finishReason(data.path("delta").path("stop_reason").asText(null));
          if (reason != null) {
            out.add(chunk(Json.object(), reason));
          }
        }
        case "message_stop" -> {
          done = true;
          Usage u = usage();
          if (u.complete()) {
            // input_tokens came with message_start, output_tokens with message_delta: the exact
            // usage, as OpenAI's last chunk (dropped later when the client did not ask for it)
            out.add(u.chunk(id, created, answerModel));
          }
          out.add("[DONE]");
        }
        case "error" ->
            throw new StreamError(data.path("error").path("message").asText("provider error"));
        default -> {
          // ping and event types added later carry nothing for the client
        }
      }
    }

    private String chunk(ObjectNode delta, @Nullable String finishReason) {
      ObjectNode c = StreamTranslator.chunkHead(id, created, answerModel);
      ObjectNode choice = c.putArray("choices").addObject();
      choice.put("index", 0);
      choice.set("delta", delta);
      if (finishReason == null) {
        choice.putNull("finish_reason");
      } else {
        choice.put("finish_reason", finishReason);
      }
      return Json.text(c);
    }

    @Override
    public boolean onEnd(List<String> out) {
      return done;
    }

    @Override
    public Usage usage() {
      if (inputTokens < 0 && outputTokens < 0) {
        return Usage.UNKNOWN;
      }
      return new Usage(
          inputTokens,
          outputTokens,
          inputTokens >= 0 && outputTokens >= 0 ? inputTokens + outputTokens : -1);
    }
  }
}
