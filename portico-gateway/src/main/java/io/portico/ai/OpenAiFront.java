package io.portico.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * OpenAI's API, the gateway's own internal shape: requests are checked and passed as they are,
 * answers and chunks go out untouched, errors in OpenAI's {@code {"error": {...}}} shape.
 */
final class OpenAiFront implements Front {

  static final OpenAiFront INSTANCE = new OpenAiFront();

  private static final Stream STREAM =
      new Stream() {
        @Override
        public void onData(String data, List<String> frames) {
          if (data.indexOf('\n') < 0 && data.indexOf('\r') < 0) {
            frames.add("data: " + data + "\n\n");
          } else {
            // one data: line per line, as SSE requires: a line of the data written as it is would
            // be read by the client as a field, or as an event of its own
            frames.add(
                "data: "
                    + data.replace("\r\n", "\n").replace('\r', '\n').replace("\n", "\ndata: ")
                    + "\n\n");
          }
        }

        @Override
        public void onError(AiError error, List<String> frames) {
          onData(Json.text(error.json()), frames);
        }
      };

  private OpenAiFront() {}

  @Override
  public ClientRequest.Parsed parse(
      ClientRequest.Operation operation, @Nullable JsonNode tree, long size, AiPlan plan) {
    if (tree == null || !tree.isObject()) {
      return ClientRequest.Parsed.refused(
          AiError.badRequest(null, "invalid_json", "The request body must be a JSON object."));
    }
    ObjectNode req = (ObjectNode) tree;
    JsonNode m = req.get("model");
    if (m == null || !m.isTextual() || m.asText().isEmpty()) {
      return ClientRequest.Parsed.refused(
          AiError.badRequest(
              "model", "missing_required_parameter", "You must provide a model parameter."));
    }
    AiPlan.Model model = plan.models().get(m.asText());
    if (model == null) {
      return ClientRequest.Parsed.refused(modelNotFound(m.asText()));
    }
    if (size > model.config().maxRequestSize()) {
      return ClientRequest.Parsed.refused(AiError.tooLarge(model.config().maxRequestSize()));
    }
    if (operation != ClientRequest.Operation.CHAT) {
      if (!req.has("input")) {
        return ClientRequest.Parsed.refused(
            AiError.badRequest(
                "input", "missing_required_parameter", "You must provide an input."));
      }
      return ClientRequest.Parsed.of(new ClientRequest(operation, req, model, false, false));
    }
    JsonNode messages = req.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      return ClientRequest.Parsed.refused(
          AiError.badRequest(
              "messages",
              "missing_required_parameter",
              "You must provide a non-empty messages array."));
    }
    for (JsonNode msg : messages) {
      if (!msg.isObject() || !msg.path("role").isTextual()) {
        return ClientRequest.Parsed.refused(
            AiError.badRequest(
                "messages", "invalid_value", "Each message must be an object with a role."));
      }
    }
    AiError wrongType = wrongType(req);
    if (wrongType != null) {
      return ClientRequest.Parsed.refused(wrongType);
    }
    JsonNode s = req.get("stream");
    boolean stream = s != null && s.asBoolean(false);
    boolean usageChunk = req.path("stream_options").path("include_usage").asBoolean(false);
    return ClientRequest.Parsed.of(new ClientRequest(operation, req, model, stream, usageChunk));
  }

  /**
   * The first field the gateway reads to frame or count a chat call whose JSON type is not
   * OpenAI's, as an {@code invalid_type} refusal; null when they all fit. A provider may read
   * {@code "stream": "yes"} or {@code "n": "20"} otherwise than the gateway does (lax validators
   * coerce them), and the answer would then be framed or estimated as the gateway did not expect.
   */
  static @Nullable AiError wrongType(JsonNode req) {
    JsonNode options = req.get("stream_options");
    if (!absentOr(req.get("stream"), JsonNode::isBoolean)) {
      return invalidType("stream", "a boolean");
    }
    if (!absentOr(options, JsonNode::isObject)) {
      return invalidType("stream_options", "an object");
    }
    if (options != null && !absentOr(options.get("include_usage"), JsonNode::isBoolean)) {
      return invalidType("stream_options.include_usage", "a boolean");
    }
    for (String field : new String[] {"n", "max_tokens", "max_completion_tokens"}) {
      if (!absentOr(req.get(field), JsonNode::isIntegralNumber)) {
        return invalidType(field, "an integer");
      }
    }
    return null;
  }

  private static boolean absentOr(@Nullable JsonNode n, Predicate<JsonNode> type) {
    return n == null || n.isNull() || type.test(n);
  }

  private static AiError invalidType(String param, String expected) {
    return AiError.badRequest(
        param, "invalid_type", "Invalid type for '" + param + "': expected " + expected + ".");
  }

  /** {@code GET …/models}: the models the route serves. */
  static ObjectNode modelList(AiPlan plan) {
    ObjectNode list = Json.object().put("object", "list");
    ArrayNode data = list.putArray("data");
    for (AiPlan.Model m : plan.models().values()) {
      data.add(model(m));
    }
    return list;
  }

  /** {@code GET …/models/<name>}: one model. */
  static ObjectNode model(AiPlan.Model m) {
    return Json.object()
        .put("id", m.name())
        .put("object", "model")
        .put("created", 0)
        .put("owned_by", "portico");
  }

  static AiError modelNotFound(String name) {
    return AiError.badRequest(
        "model",
        "model_not_found",
        "The model `" + name + "` does not exist or you do not have access to it.");
  }

  @Override
  public ByteBuf answer(ByteBuf completion, ClientRequest request, Usage usage) {
    return completion;
  }

  @Override
  public Stream stream(ClientRequest request, Supplier<Usage> usage) {
    return STREAM;
  }

  @Override
  public JsonNode error(AiError error) {
    return error.json();
  }
}
