package io.portico.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import java.util.List;
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
    JsonNode s = req.get("stream");
    boolean stream = s != null && s.asBoolean(false);
    boolean usageChunk = req.path("stream_options").path("include_usage").asBoolean(false);
    return ClientRequest.Parsed.of(new ClientRequest(operation, req, model, stream, usageChunk));
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
