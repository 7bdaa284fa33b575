package io.portico.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Anthropic's Messages API as a front: {@code POST …/messages} (and {@code
 * …/messages/count_tokens}) in Anthropic's request shape, answered in its message shape and its
 * server-sent event types ({@code message_start}, {@code content_block_start}/{@code _delta}/{@code
 * _stop}, {@code message_delta} with the usage, {@code message_stop}), whatever provider answers;
 * errors as {@code {"type": "error", "error": {"type", "message"}}}.
 *
 * <p>The request becomes the internal OpenAI chat request ({@code system} a system message, content
 * blocks parts, {@code tool_use} tool calls, {@code tool_result} tool messages, {@code tools} with
 * their {@code input_schema} functions, {@code stop_sequences}, {@code metadata.user_id}, {@code
 * document} blocks with text sources as text); a stream always asks for the usage chunk, which the
 * {@link AnthropicStream} turns into {@code message_delta}'s usage.
 *
 * <p>What only some providers take rides along in fields of the internal request that the other
 * adapters leave out: {@code top_k} (Anthropic's {@code top_k}, Gemini's {@code topK}), {@code
 * thinking} (the extended-thinking config) and an assistant message's {@link #THINKING_BLOCKS}
 * ({@code thinking} and {@code redacted_thinking} blocks, unchanged, for Anthropic alone).
 */
final class AnthropicFront implements Front {

  static final AnthropicFront INSTANCE = new AnthropicFront();

  /**
   * The field of an internal assistant message that holds its Anthropic {@code thinking} and {@code
   * redacted_thinking} blocks, unchanged; only the Anthropic adapter sends it on.
   */
  static final String THINKING_BLOCKS = "anthropic_thinking_blocks";

  /** Fields of the internal request that OpenAI-compatible providers do not take. */
  static final List<String> NOT_FOR_OPENAI = List.of("top_k", "thinking");

  private AnthropicFront() {}

  /** Whether {@code path} is one the Anthropic front answers: {@code …/messages[/count_tokens]}. */
  static boolean serves(String path) {
    String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return p.endsWith("/messages") || p.endsWith("/messages/count_tokens");
  }

  @Override
  public ClientRequest.Parsed parse(
      ClientRequest.Operation operation, @Nullable JsonNode tree, long size, AiPlan plan) {
    if (tree == null || !tree.isObject()) {
      return refused(null, "invalid_json", "The request body must be a JSON object.");
    }
    JsonNode m = tree.get("model");
    if (m == null || !m.isTextual() || m.asText().isEmpty()) {
      return refused("model", "missing_required_parameter", "model: Field required");
    }
    AiPlan.Model model = plan.models().get(m.asText());
    if (model == null) {
      return ClientRequest.Parsed.refused(
          new AiError(
              HttpResponseStatus.NOT_FOUND,
              AiError.INVALID_REQUEST,
              "model",
              "model_not_found",
              "model: " + m.asText()));
    }
    if (size > model.config().maxRequestSize()) {
      return ClientRequest.Parsed.refused(AiError.tooLarge(model.config().maxRequestSize()));
    }
    JsonNode messages = tree.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      return refused("messages", "missing_required_parameter", "messages: Field required");
    }
    JsonNode streamField = tree.get("stream");
    if (streamField != null && !streamField.isNull() && !streamField.isBoolean()) {
      return refused("stream", "invalid_type", "stream: Input should be a valid boolean");
    }
    if (operation == ClientRequest.Operation.CHAT) {
      JsonNode max = tree.get("max_tokens");
      if (max == null || !max.canConvertToLong() || max.asLong() < 1) {
        return refused("max_tokens", "missing_required_parameter", "max_tokens: Field required");
      }
    }
    ObjectNode out = Json.object();
    out.put("model", m.asText());
    ArrayNode msgs = out.putArray("messages");
    String system = text(tree.get("system"));
    if (!system.isEmpty()) {
      msgs.addObject().put("role", "system").put("content", system);
    }
    for (JsonNode msg : messages) {
      String role = msg.path("role").asText("");
      if (!msg.isObject() || !(role.equals("user") || role.equals("assistant"))) {
        return refused(
            "messages",
            "invalid_value",
            "messages: each message must have the role \"user\" or \"assistant\"");
      }
      AiError bad = message(role, msg.get("content"), msgs);
      if (bad != null) {
        return ClientRequest.Parsed.refused(bad);
      }
    }
    copy(tree, "max_tokens", out, "max_tokens");
    copy(tree, "temperature", out, "temperature");
    copy(tree, "top_p", out, "top_p");
    copy(tree, "top_k", out, "top_k");
    copy(tree, "thinking", out, "thinking");
    copy(tree, "stop_sequences", out, "stop");
    String user = Json.string(tree.path("metadata"), "user_id");
    if (user != null) {
      out.put("user", user);
    }
    JsonNode tools = tree.get("tools");
    if (tools != null && tools.isArray() && !tools.isEmpty()) {
      ArrayNode t = out.putArray("tools");
      for (JsonNode tool : tools) {
        ObjectNode f = t.addObject().put("type", "function").putObject("function");
        f.put("name", tool.path("name").asText());
        if (tool.has("description")) {
          f.put("description", tool.get("description").asText());
        }
        f.set(
            "parameters",
            tool.has("input_schema")
                ? tool.get("input_schema")
                : Json.object().put("type", "object"));
      }
      JsonNode choice = tree.get("tool_choice");
      if (choice != null && choice.isObject()) {
        switch (choice.path("type").asText()) {
          case "any" -> out.put("tool_choice", "required");
          case "none" -> out.put("tool_choice", "none");
          case "tool" ->
              out.putObject("tool_choice")
                  .put("type", "function")
                  .putObject("function")
                  .put("name", choice.path("name").asText());
          default -> out.put("tool_choice", "auto");
        }
      }
    }
    boolean stream =
        operation == ClientRequest.Operation.CHAT && tree.path("stream").asBoolean(false);
    if (stream) {
      out.put("stream", true);
      out.putObject("stream_options").put("include_usage", true);
    }
    return ClientRequest.Parsed.of(new ClientRequest(operation, out, model, stream, stream));
  }

  /** One Anthropic message as OpenAI messages: tool results first, as {@code tool} messages. */
  private static @Nullable AiError message(String role, @Nullable JsonNode content, ArrayNode out) {
    if (content == null || content.isNull()) {
      return AiError.badRequest("messages", "invalid_value", "messages: content is required");
    }
    if (content.isTextual()) {
      out.addObject().put("role", role).put("content", content.asText());
      return null;
    }
    if (!content.isArray()) {
      return AiError.badRequest(
          "messages", "invalid_value", "messages: content must be a string or a list of blocks");
    }
    ArrayNode parts = Json.array();
    StringBuilder text = new StringBuilder();
    ArrayNode calls = Json.array();
    ArrayNode thinking = Json.array();
    for (JsonNode block : content) {
      switch (block.path("type").asText()) {
        case "text" -> {
          parts.addObject().put("type", "text").put("text", block.path("text").asText());
          text.append(block.path("text").asText());
        }
        case "image" -> {
          JsonNode src = block.path("source");
          String url =
              "url".equals(src.path("type").asText())
                  ? src.path("url").asText()
                  : "data:"
                      + src.path("media_type").asText("image/png")
                      + ";base64,"
                      + src.path("data").asText();
          parts.addObject().put("type", "image_url").putObject("image_url").put("url", url);
        }
        case "tool_use" -> {
          ObjectNode call = calls.addObject();
          call.put("id", block.path("id").asText());
          call.put("type", "function");
          call.putObject("function")
              .put("name", block.path("name").asText())
              .put("arguments", Json.text(block.has("input") ? block.get("input") : Json.object()));
        }
        case "tool_result" ->
            out.addObject()
                .put("role", "tool")
                .put("tool_call_id", block.path("tool_use_id").asText())
                .put("content", text(block.get("content")));
        case "thinking", "redacted_thinking" -> thinking.add(block);
        case "document" -> {
          JsonNode src = block.path("source");
          String doc =
              switch (src.path("type").asText()) {
                case "text" -> src.path("data").asText();
                case "content" -> text(src.get("content"));
                default -> null;
              };
          if (doc == null) {
            return AiError.badRequest(
                "messages",
                "invalid_value",
                "messages: only document blocks with a text or content source are supported");
          }
          parts.addObject().put("type", "text").put("text", doc);
          text.append(doc);
        }
        default -> {
          // blocks added later carry nothing a provider here takes
        }
      }
    }
    if (role.equals("assistant")) {
      ObjectNode msg = Json.object().put("role", "assistant");
      if (text.length() > 0 || calls.isEmpty()) {
        msg.put("content", text.toString());
      } else {
        msg.putNull("content");
      }
      if (!calls.isEmpty()) {
        msg.set("tool_calls", calls);
      }
      if (!thinking.isEmpty()) {
        msg.set(THINKING_BLOCKS, thinking);
      }
      out.add(msg);
    } else if (!parts.isEmpty()) {
      out.addObject().put("role", "user").set("content", parts);
    }
    return null;
  }

  /** A string, or the text of a list of text blocks joined. */
  private static String text(@Nullable JsonNode node) {
    if (node == null || node.isNull()) {
      return "";
    }
    if (node.isTextual()) {
      return node.asText();
    }
    StringBuilder b = new StringBuilder();
    for (JsonNode block : node) {
      if ("text".equals(Json.string(block, "type"))) {
        if (b.length() > 0) {
          b.append('\n');
        }
        b.append(block.path("text").asText());
      }
    }
    return b.toString();
  }

  private static void copy(JsonNode from, String name, ObjectNode to, String as) {
    JsonNode v = from.get(name);
    if (v != null && !v.isNull()) {
      to.set(as, v);
    }
  }

  private static ClientRequest.Parsed refused(@Nullable String param, String code, String message) {
    return ClientRequest.Parsed.refused(AiError.badRequest(param, code, message));
  }

  @Override
  public ByteBuf answer(ByteBuf completion, ClientRequest request, Usage usage) {
    if (request.operation() != ClientRequest.Operation.CHAT) {
      return completion;
    }
    JsonNode json;
    try (ByteBufInputStream in = new ByteBufInputStream(completion, true)) {
      json = Json.MAPPER.readTree((InputStream) in);
    } catch (IOException e) {
      json = Json.object();
    }
    Usage reported = Usage.ofOpenAi(json.get("usage"));
    return Unpooled.wrappedBuffer(
        Json.bytes(message(json, reported.completionTokens() >= 0 ? reported : usage)));
  }

  /** An OpenAI chat completion as an Anthropic message. */
  static ObjectNode message(JsonNode completion, Usage usage) {
    ObjectNode m = Json.object();
    m.put("id", messageId(completion.path("id").asText("")));
    m.put("type", "message");
    m.put("role", "assistant");
    m.put("model", completion.path("model").asText(""));
    ArrayNode content = m.putArray("content");
    JsonNode choice = completion.path("choices").path(0);
    JsonNode message = choice.path("message");
    String text = Json.contentText(message.get("content"));
    if (!text.isEmpty()) {
      content.addObject().put("type", "text").put("text", text);
    }
    for (JsonNode call : message.path("tool_calls")) {
      JsonNode input = Json.parse(call.path("function").path("arguments").asText("{}"));
      content
          .addObject()
          .put("type", "tool_use")
          .put("id", call.path("id").asText())
          .put("name", call.path("function").path("name").asText())
          .set("input", input != null && input.isObject() ? input : Json.object());
    }
    m.put("stop_reason", stopReason(choice.path("finish_reason").asText("stop")));
    m.putNull("stop_sequence");
    m.set("usage", usage(usage));
    return m;
  }

  static String messageId(String id) {
    String rest = id.startsWith("chatcmpl-") ? id.substring("chatcmpl-".length()) : id;
    if (rest.isEmpty()) {
      rest = "portico";
    }
    return rest.startsWith("msg_") ? rest : "msg_" + rest;
  }

  static String stopReason(String finishReason) {
    return switch (finishReason) {
      case "length" -> "max_tokens";
      case "tool_calls", "function_call" -> "tool_use";
      case "content_filter" -> "refusal";
      default -> "end_turn";
    };
  }

  static ObjectNode usage(Usage u) {
    return Json.object()
        .put("input_tokens", Math.max(0, u.promptTokens()))
        .put("output_tokens", Math.max(0, u.completionTokens()));
  }

  @Override
  public Stream stream(ClientRequest request, Supplier<Usage> usage) {
    return new AnthropicStream(usage);
  }

  @Override
  public JsonNode error(AiError error) {
    return errorJson(error.status().code(), error.message());
  }

  /** Anthropic's error body for {@code status}. */
  static ObjectNode errorJson(int status, String message) {
    ObjectNode root = Json.object().put("type", "error");
    root.putObject("error").put("type", errorType(status)).put("message", message);
    return root;
  }

  static String errorType(int status) {
    return switch (status) {
      case 400, 405, 422 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 413 -> "request_too_large";
      case 429 -> "rate_limit_error";
      case 503, 529 -> "overloaded_error";
      case 504 -> "timeout_error";
      default -> status < 500 ? "invalid_request_error" : "api_error";
    };
  }

  /**
   * OpenAI chunks as Anthropic's events: the message opened with the first chunk, a content block
   * per run of text or per tool call, the stop reason and the usage held until the end (OpenAI
   * sends them in two chunks, Anthropic in one {@code message_delta}). Confined to the exchange's
   * event loop.
   */
  static final class AnthropicStream implements Stream {
    private final Supplier<Usage> fallbackUsage;
    private boolean started;
    private int block = -1;
    private @Nullable String blockType;
    private int toolIndex = -1;
    private String stopReason = "end_turn";
    private @Nullable Usage usage;

    AnthropicStream(Supplier<Usage> fallbackUsage) {
      this.fallbackUsage = fallbackUsage;
    }

    @Override
    public void onData(String data, List<String> frames) {
      if (data.equals("[DONE]")) {
        finish(frames);
        return;
      }
      JsonNode chunk = Json.parse(data);
      if (chunk == null) {
        return;
      }
      if (!started) {
        start(chunk, frames);
      }
      JsonNode u = chunk.get("usage");
      if (u != null && u.isObject()) {
        usage = Usage.ofOpenAi(u);
      }
      for (JsonNode choice : chunk.path("choices")) {
        JsonNode delta = choice.path("delta");
        JsonNode content = delta.get("content");
        if (content != null && content.isTextual() && !content.asText().isEmpty()) {
          if (!"text".equals(blockType)) {
            open("text", Json.object().put("type", "text").put("text", ""), frames);
          }
          ObjectNode d = Json.object().put("type", "text_delta").put("text", content.asText());
          delta(d, frames);
        }
        for (JsonNode call : delta.path("tool_calls")) {
          int index = call.path("index").asInt(toolIndex < 0 ? 0 : toolIndex);
          if (index != toolIndex || !"tool_use".equals(blockType)) {
            toolIndex = index;
            ObjectNode b =
                Json.object()
                    .put("type", "tool_use")
                    .put("id", call.path("id").asText(""))
                    .put("name", call.path("function").path("name").asText(""));
            b.putObject("input");
            open("tool_use", b, frames);
          }
          String args = call.path("function").path("arguments").asText("");
          if (!args.isEmpty()) {
            delta(Json.object().put("type", "input_json_delta").put("partial_json", args), frames);
          }
        }
        JsonNode reason = choice.get("finish_reason");
        if (reason != null && reason.isTextual()) {
          stopReason = stopReason(reason.asText());
        }
      }
    }

    private void start(JsonNode chunk, List<String> frames) {
      started = true;
      ObjectNode e = Json.object().put("type", "message_start");
      ObjectNode m = e.putObject("message");
      m.put("id", messageId(chunk.path("id").asText("")));
      m.put("type", "message");
      m.put("role", "assistant");
      m.put("model", chunk.path("model").asText(""));
      m.putArray("content");
      m.putNull("stop_reason");
      m.putNull("stop_sequence");
      Usage u = fallbackUsage.get();
      m.putObject("usage")
          .put("input_tokens", Math.max(0, u.promptTokens()))
          .put("output_tokens", 0);
      frame("message_start", e, frames);
    }

    private void open(String type, ObjectNode contentBlock, List<String> frames) {
      close(frames);
      block++;
      blockType = type;
      ObjectNode e = Json.object().put("type", "content_block_start").put("index", block);
      e.set("content_block", contentBlock);
      frame("content_block_start", e, frames);
    }

    private void delta(ObjectNode delta, List<String> frames) {
      ObjectNode e = Json.object().put("type", "content_block_delta").put("index", block);
      e.set("delta", delta);
      frame("content_block_delta", e, frames);
    }

    private void close(List<String> frames) {
      if (blockType != null) {
        frame(
            "content_block_stop",
            Json.object().put("type", "content_block_stop").put("index", block),
            frames);
        blockType = null;
      }
    }

    private void finish(List<String> frames) {
      if (!started) {
        start(Json.object(), frames);
      }
      close(frames);
      Usage u = usage != null && usage.completionTokens() >= 0 ? usage : fallbackUsage.get();
      ObjectNode e = Json.object().put("type", "message_delta");
      e.putObject("delta").put("stop_reason", stopReason).putNull("stop_sequence");
      e.set("usage", AnthropicFront.usage(u));
      frame("message_delta", e, frames);
      frame("message_stop", Json.object().put("type", "message_stop"), frames);
    }

    @Override
    public void onError(AiError error, List<String> frames) {
      frame("error", errorJson(error.status().code(), error.message()), frames);
    }

    private static void frame(String event, JsonNode data, List<String> frames) {
      frames.add("event: " + event + "\ndata: " + Json.text(data) + "\n\n");
    }
  }
}
