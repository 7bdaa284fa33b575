package io.portico.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Google Gemini ({@code models/<model>:generateContent}, {@code :streamGenerateContent?alt=sse}):
 * system messages become {@code systemInstruction}, {@code assistant} is {@code model}, tool calls
 * and results are {@code functionCall} and {@code functionResponse} parts; sampling options go in
 * {@code generationConfig}; embeddings go through {@code :batchEmbedContents} (Gemini reports no
 * token counts for them). The key goes in {@code x-goog-api-key}. Each streamed response is one
 * OpenAI chunk; the end of the body completes the stream.
 */
final class GeminiAdapter implements ProviderAdapter {

  private static final AsciiString API_KEY = AsciiString.cached("x-goog-api-key");

  private final String basePath;

  GeminiAdapter(String basePath) {
    this.basePath = basePath;
  }

  @Override
  public Request chat(ObjectNode request, String model, boolean stream) {
    ObjectNode body = Json.object();
    ArrayNode contents = body.putArray("contents");
    StringBuilder system = new StringBuilder();
    Map<String, String> toolNames = new HashMap<>();
    for (JsonNode m : request.path("messages")) {
      String role = m.path("role").asText("user");
      switch (role) {
        case "system", "developer" -> {
          if (system.length() > 0) {
            system.append("\n\n");
          }
          system.append(Json.contentText(m.get("content")));
        }
        case "assistant" -> {
          ObjectNode c = contents.addObject().put("role", "model");
          ArrayNode parts = c.putArray("parts");
          String text = Json.contentText(m.get("content"));
          if (!text.isEmpty()) {
            parts.addObject().put("text", text);
          }
          for (JsonNode call : m.path("tool_calls")) {
            String name = call.path("function").path("name").asText();
            toolNames.put(call.path("id").asText(), name);
            JsonNode args = Json.parse(call.path("function").path("arguments").asText("{}"));
            parts
                .addObject()
                .putObject("functionCall")
                .put("name", name)
                .set("args", args != null && args.isObject() ? args : Json.object());
          }
        }
        case "tool" -> {
          ObjectNode response = Json.object();
          String text = Json.contentText(m.get("content"));
          JsonNode parsed = Json.parse(text);
          response.set(
              "content", parsed != null ? parsed : Json.MAPPER.getNodeFactory().textNode(text));
          contents
              .addObject()
              .put("role", "user")
              .putArray("parts")
              .addObject()
              .putObject("functionResponse")
              .put("name", toolNames.getOrDefault(m.path("tool_call_id").asText(), "tool"))
              .set("response", response);
        }
        default ->
            contents
                .addObject()
                .put("role", "user")
                .putArray("parts")
                .addObject()
                .put("text", Json.contentText(m.get("content")));
      }
    }
    if (system.length() > 0) {
      body.putObject("systemInstruction")
          .putArray("parts")
          .addObject()
          .put("text", system.toString());
    }
    ObjectNode config = Json.object();
    copy(request, "temperature", config, "temperature");
    copy(request, "top_p", config, "topP");
    copy(request, "top_k", config, "topK");
    copy(request, "n", config, "candidateCount");
    JsonNode max =
        request.has("max_completion_tokens")
            ? request.get("max_completion_tokens")
            : request.get("max_tokens");
    if (max != null && max.canConvertToInt()) {
      config.put("maxOutputTokens", max.asInt());
    }
    JsonNode stop = request.get("stop");
    if (stop != null && stop.isTextual()) {
      config.putArray("stopSequences").add(stop.asText());
    } else if (stop != null && stop.isArray()) {
      config.set("stopSequences", stop.deepCopy());
    }
    if (!config.isEmpty()) {
      body.set("generationConfig", config);
    }
    JsonNode tools = request.get("tools");
    if (tools != null && tools.isArray() && !tools.isEmpty()) {
      ArrayNode declarations = body.putArray("tools").addObject().putArray("functionDeclarations");
      for (JsonNode t : tools) {
        JsonNode f = t.path("function");
        ObjectNode d = declarations.addObject().put("name", f.path("name").asText());
        if (f.has("description")) {
          d.put("description", f.get("description").asText());
        }
        if (f.has("parameters")) {
          d.set("parameters", f.get("parameters").deepCopy());
        }
      }
    }
    String path =
        basePath
            + "/models/"
            + URLEncoder.encode(model, StandardCharsets.UTF_8)
            + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
    return new Request(path, body);
  }

  private static void copy(JsonNode from, String field, ObjectNode to, String as) {
    JsonNode v = from.get(field);
    if (v != null && !v.isNull()) {
      to.set(as, v.deepCopy());
    }
  }

  @Override
  public Request embeddings(ObjectNode request, String model) {
    ObjectNode body = Json.object();
    ArrayNode requests = body.putArray("requests");
    JsonNode input = request.path("input");
    List<JsonNode> texts = new java.util.ArrayList<>();
    if (input.isArray()) {
      input.forEach(texts::add);
    } else {
      texts.add(input);
    }
    for (JsonNode text : texts) {
      ObjectNode r = requests.addObject();
      r.put("model", "models/" + model);
      r.putObject("content").putArray("parts").addObject().put("text", text.asText());
      if (request.has("dimensions")) {
        r.set("outputDimensionality", request.get("dimensions").deepCopy());
      }
    }
    return new Request(
        basePath
            + "/models/"
            + URLEncoder.encode(model, StandardCharsets.UTF_8)
            + ":batchEmbedContents",
        body);
  }

  @Override
  public ObjectNode embeddingsAnswer(JsonNode answer, String model) throws InvalidAnswer {
    if (!answer.isObject() || !answer.path("embeddings").isArray()) {
      throw new InvalidAnswer("answered a batchEmbedContents body without embeddings");
    }
    ObjectNode out = Json.object().put("object", "list");
    ArrayNode data = out.putArray("data");
    int index = 0;
    for (JsonNode e : answer.get("embeddings")) {
      ObjectNode item = data.addObject().put("object", "embedding").put("index", index++);
      item.set("embedding", e.path("values").deepCopy());
    }
    out.put("model", model);
    return out;
  }

  @Override
  public void authorize(HttpHeaders headers, @Nullable String key) {
    if (key != null) {
      headers.set(API_KEY, key);
    }
  }

  @Override
  public ObjectNode chatAnswer(JsonNode answer, String model) throws InvalidAnswer {
    if (!answer.isObject() || !answer.path("candidates").isArray()) {
      throw new InvalidAnswer("answered a generateContent body without candidates");
    }
    ObjectNode out = Json.object();
    out.put("id", "chatcmpl-" + answer.path("responseId").asText("gemini"));
    out.put("object", "chat.completion");
    out.put("created", System.currentTimeMillis() / 1000);
    out.put("model", answer.path("modelVersion").asText(model));
    ArrayNode choices = out.putArray("choices");
    int index = 0;
    for (JsonNode candidate : answer.get("candidates")) {
      ObjectNode choice = choices.addObject();
      choice.put("index", index++);
      ObjectNode message = choice.putObject("message").put("role", "assistant");
      boolean calls = parts(candidate, message, false);
      choice.put("finish_reason", finishReason(candidate, calls));
    }
    usageOf(answer, out);
    return out;
  }

  /** The candidate's parts into {@code target} (a message or a delta); whether it called a tool. */
  private static boolean parts(JsonNode candidate, ObjectNode target, boolean delta) {
    StringBuilder text = new StringBuilder();
    ArrayNode calls = null;
    for (JsonNode part : candidate.path("content").path("parts")) {
      if (part.has("text") && !part.path("thought").asBoolean(false)) {
        text.append(part.get("text").asText());
      } else if (part.has("functionCall")) {
        if (calls == null) {
          calls = Json.array();
        }
        JsonNode fc = part.get("functionCall");
        ObjectNode call = calls.addObject();
        if (delta) {
          call.put("index", calls.size() - 1);
        }
        call.put("id", "call_" + (calls.size() - 1) + "_" + fc.path("name").asText());
        call.put("type", "function");
        call.putObject("function")
            .put("name", fc.path("name").asText())
            .put(
                "arguments",
                Json.text(fc.path("args").isMissingNode() ? Json.object() : fc.get("args")));
      }
    }
    if (text.length() > 0 || (calls == null && !delta)) {
      target.put("content", text.toString());
    } else if (!delta) {
      target.putNull("content");
    }
    if (calls != null) {
      target.set("tool_calls", calls);
    }
    return calls != null;
  }

  private static @Nullable String finishReason(JsonNode candidate, boolean calls) {
    String reason = candidate.path("finishReason").asText(null);
    if (reason == null) {
      return null;
    }
    if (calls) {
      return "tool_calls";
    }
    return switch (reason) {
      case "MAX_TOKENS" -> "length";
      case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII" -> "content_filter";
      default -> "stop";
    };
  }

  private static Usage usageOf(JsonNode answer, @Nullable ObjectNode out) {
    JsonNode u = answer.get("usageMetadata");
    if (u == null || !u.isObject()) {
      return Usage.UNKNOWN;
    }
    long p = Math.max(0, Usage.count(u.get("promptTokenCount")));
    long c = Math.max(0, Usage.count(u.get("candidatesTokenCount")));
    Usage usage = new Usage(p, c, Usage.count(u.get("totalTokenCount")));
    if (out != null) {
      out.putObject("usage")
          .put("prompt_tokens", usage.promptTokens())
          .put("completion_tokens", usage.completionTokens())
          .put("total_tokens", usage.totalTokens());
    }
    return usage;
  }

  @Override
  public StreamTranslator stream(String model) {
    return new Stream(model);
  }

  /** Each streamed {@code GenerateContentResponse} as one chunk; the body's end is the end. */
  private static final class Stream implements StreamTranslator {
    private final String model;
    private final long created = System.currentTimeMillis() / 1000;
    private boolean first = true;
    private Usage usage = Usage.UNKNOWN;
    private String id = "chatcmpl-gemini";
    private String answerModel;

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
      if (data.has("error")) {
        throw new StreamError(data.path("error").path("message").asText("provider error"));
      }
      if (data.has("usageMetadata")) {
        usage = usageOf(data, null);
      }
      id = "chatcmpl-" + data.path("responseId").asText("gemini");
      answerModel = data.path("modelVersion").asText(model);
      ObjectNode c = StreamTranslator.chunkHead(id, created, answerModel);
      ArrayNode choices = c.putArray("choices");
      int index = 0;
      for (JsonNode candidate : data.path("candidates")) {
        ObjectNode choice = choices.addObject();
        choice.put("index", index++);
        ObjectNode delta = choice.putObject("delta");
        if (first) {
          delta.put("role", "assistant");
        }
        boolean calls = parts(candidate, delta, true);
        String reason = finishReason(candidate, calls);
        if (reason == null) {
          choice.putNull("finish_reason");
        } else {
          choice.put("finish_reason", reason);
        }
      }
      first = false;
      out.add(Json.text(c));
    }

    @Override
    public boolean onEnd(List<String> out) {
      if (usage.complete()) {
        // usageMetadata is cumulative: the last one seen is the stream's
        out.add(usage.chunk(id, created, answerModel));
      }
      out.add("[DONE]");
      return true;
    }

    @Override
    public Usage usage() {
      return usage;
    }
  }
}
