package io.portico.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Gathers a streamed answer's OpenAI chunks into the whole chat completion they make, for the
 * response cache (which stores a stream only once it is complete), and splits a whole completion
 * into the chunks that replay it to a streaming client. Confined to the exchange's event loop.
 */
final class CompletionAssembler {

  private String id = "chatcmpl-portico";
  private String model = "";
  private long created;
  private final StringBuilder content = new StringBuilder();
  private final List<ObjectNode> toolCalls = new ArrayList<>(0);
  private @Nullable String finishReason;
  private @Nullable JsonNode usage;

  /** One internal payload (a chunk's JSON, or {@code [DONE]}). */
  void add(String data) {
    if (data.equals("[DONE]")) {
      return;
    }
    JsonNode chunk = Json.parse(data);
    if (chunk == null) {
      return;
    }
    if (chunk.hasNonNull("id")) {
      id = chunk.get("id").asText();
    }
    if (chunk.hasNonNull("model")) {
      model = chunk.get("model").asText();
    }
    created = chunk.path("created").asLong(created);
    if (chunk.path("usage").isObject()) {
      usage = chunk.get("usage");
    }
    for (JsonNode choice : chunk.path("choices")) {
      if (choice.path("index").asInt(0) != 0) {
        continue;
      }
      JsonNode delta = choice.path("delta");
      JsonNode c = delta.get("content");
      if (c != null && c.isTextual()) {
        content.append(c.asText());
      }
      for (JsonNode call : delta.path("tool_calls")) {
        int index = call.path("index").asInt(toolCalls.size());
        while (toolCalls.size() <= index) {
          ObjectNode t = Json.object().put("id", "").put("type", "function");
          t.putObject("function").put("name", "").put("arguments", "");
          toolCalls.add(t);
        }
        ObjectNode t = toolCalls.get(index);
        ObjectNode f = (ObjectNode) t.get("function");
        if (call.hasNonNull("id")) {
          t.put("id", call.get("id").asText());
        }
        JsonNode fn = call.path("function");
        if (fn.hasNonNull("name")) {
          f.put("name", f.get("name").asText() + fn.get("name").asText());
        }
        if (fn.hasNonNull("arguments")) {
          f.put("arguments", f.get("arguments").asText() + fn.get("arguments").asText());
        }
      }
      JsonNode reason = choice.get("finish_reason");
      if (reason != null && reason.isTextual()) {
        finishReason = reason.asText();
      }
    }
  }

  /**
   * Takes the usage the provider reported for the stream when no chunk carried it: the gateway asks
   * for a stream's usage even when the client did not, and drops that chunk before the client (and
   * this assembler) sees it, yet the stored answer keeps it for later hits that report usage.
   */
  void reported(Usage reported) {
    if (usage == null && reported.complete()) {
      usage =
          Json.object()
              .put("prompt_tokens", reported.promptTokens())
              .put("completion_tokens", reported.completionTokens())
              .put(
                  "total_tokens",
                  reported.totalTokens() >= 0
                      ? reported.totalTokens()
                      : reported.promptTokens() + reported.completionTokens());
    }
  }

  /** The whole completion the chunks made. */
  ObjectNode completion() {
    ObjectNode c = Json.object();
    c.put("id", id);
    c.put("object", "chat.completion");
    c.put("created", created);
    c.put("model", model);
    ObjectNode choice = c.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message").put("role", "assistant");
    if (content.length() > 0 || toolCalls.isEmpty()) {
      message.put("content", content.toString());
    } else {
      message.putNull("content");
    }
    if (!toolCalls.isEmpty()) {
      message.putArray("tool_calls").addAll(toolCalls);
    }
    choice.put(
        "finish_reason",
        finishReason != null ? finishReason : toolCalls.isEmpty() ? "stop" : "tool_calls");
    if (usage != null) {
      c.set("usage", usage);
    }
    return c;
  }

  /**
   * The chunks that stream {@code completion}: the role, the content, the tool calls, the finish
   * reason, the usage when {@code withUsage} and known, then {@code [DONE]}.
   */
  static List<String> chunks(JsonNode completion, boolean withUsage) {
    List<String> out = new ArrayList<>(6);
    JsonNode choice = completion.path("choices").path(0);
    JsonNode message = choice.path("message");
    out.add(chunk(completion, Json.object().put("role", "assistant").put("content", ""), null));
    String text = Json.contentText(message.get("content"));
    if (!text.isEmpty()) {
      out.add(chunk(completion, Json.object().put("content", text), null));
    }
    JsonNode calls = message.path("tool_calls");
    if (calls.isArray() && !calls.isEmpty()) {
      ObjectNode delta = Json.object();
      ArrayNode list = delta.putArray("tool_calls");
      int i = 0;
      for (JsonNode call : calls) {
        ObjectNode c = list.addObject().put("index", i++);
        c.set("id", call.path("id"));
        c.put("type", "function");
        c.set("function", call.path("function"));
      }
      out.add(chunk(completion, delta, null));
    }
    out.add(chunk(completion, Json.object(), choice.path("finish_reason").asText("stop")));
    JsonNode usage = completion.get("usage");
    if (withUsage && usage != null && usage.isObject()) {
      ObjectNode u = head(completion);
      u.putArray("choices");
      u.set("usage", usage);
      out.add(Json.text(u));
    }
    out.add("[DONE]");
    return out;
  }

  private static String chunk(JsonNode completion, ObjectNode delta, @Nullable String reason) {
    ObjectNode c = head(completion);
    ObjectNode choice = c.putArray("choices").addObject();
    choice.put("index", 0);
    choice.set("delta", delta);
    if (reason == null) {
      choice.putNull("finish_reason");
    } else {
      choice.put("finish_reason", reason);
    }
    return Json.text(c);
  }

  private static ObjectNode head(JsonNode completion) {
    return StreamTranslator.chunkHead(
        completion.path("id").asText("chatcmpl-portico"),
        completion.path("created").asLong(0),
        completion.path("model").asText(""));
  }
}
