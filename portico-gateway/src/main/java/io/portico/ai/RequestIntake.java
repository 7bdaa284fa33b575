package io.portico.ai;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The client's request as an {@link AiRun} takes it in: the body gathered up to the route's {@code
 * max-request-size}, then read as what the path and method ask for. On a prompt route the body
 * holds the template's variables; otherwise the path names the operation: the models list or one
 * model and Anthropic's token count, which the gateway answers itself, or a chat completion or
 * embeddings request for the providers, parsed by the {@link Front} the path selects.
 *
 * <p>Confined to the exchange's event loop. Owns the body (one composite buffer) until it is read
 * or {@link #release}d.
 */
final class RequestIntake {

  /** What the client asked, once its body is complete (or as soon as it is refused). */
  interface Asked {
    /** A valid request for the providers. */
    void accepted(ClientRequest request);

    /** An answer the gateway gives itself (200): the models list, one model, a token count. */
    void answer(JsonNode json);

    /** The request is refused: too large, not JSON, an unknown path, the wrong method, invalid. */
    void refused(AiError error);
  }

  private final AiPlan plan;
  private final HttpMethod method;
  private final String path;
  private final AiRun.Host host;
  private final Front front;
  private final Asked asked;
  private @Nullable CompositeByteBuf body;

  RequestIntake(AiPlan plan, HttpMethod method, String path, AiRun.Host host, Asked asked) {
    this.plan = plan;
    this.method = method;
    this.path = path;
    this.host = host;
    this.asked = asked;
    this.front =
        plan.prompt() == null && AnthropicFront.serves(path)
            ? AnthropicFront.INSTANCE
            : OpenAiFront.INSTANCE;
  }

  /** The API the client speaks, chosen by the request's path. */
  Front front() {
    return front;
  }

  /** A piece of the client's body (owned from here); the last one reads the request. */
  void add(HttpContent content) {
    ByteBuf chunk = content.content();
    long size = (body == null ? 0 : body.readableBytes()) + (long) chunk.readableBytes();
    if (size > plan.maxRequestSize()) {
      content.release();
      release();
      asked.refused(AiError.tooLarge(plan.maxRequestSize()));
      return;
    }
    if (chunk.isReadable()) {
      if (body == null) {
        body = host.alloc().compositeBuffer();
      }
      body.addComponent(true, chunk.retain());
    }
    content.release();
    if (content instanceof LastHttpContent) {
      read();
    }
  }

  /** Frees the body, when it is still held. */
  void release() {
    if (body != null) {
      body.release();
      body = null;
    }
  }

  private void read() {
    PromptTemplate prompt = plan.prompt();
    if (prompt != null) {
      readPrompt(prompt);
      return;
    }
    String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    if (p.endsWith("/models") || p.contains("/models/")) {
      release();
      models(p);
      return;
    }
    ClientRequest.Operation operation;
    if (front == AnthropicFront.INSTANCE) {
      operation =
          p.endsWith("/count_tokens")
              ? ClientRequest.Operation.COUNT_TOKENS
              : ClientRequest.Operation.CHAT;
    } else if (p.endsWith("/chat/completions")) {
      operation = ClientRequest.Operation.CHAT;
    } else if (p.endsWith("/embeddings")) {
      operation = ClientRequest.Operation.EMBEDDINGS;
    } else {
      release();
      asked.refused(AiError.notFound("Unknown request URL: " + method.name() + " " + path + "."));
      return;
    }
    if (method != HttpMethod.POST) {
      release();
      asked.refused(AiError.methodNotAllowed("Use POST for " + path + "."));
      return;
    }
    CompositeByteBuf b = body;
    body = null;
    long size = b == null ? 0 : b.readableBytes();
    JsonNode tree;
    try {
      tree = ClientRequest.readJson(b);
    } catch (IOException e) {
      asked.refused(
          AiError.badRequest(null, "invalid_json", "The request body is not valid JSON."));
      return;
    }
    ClientRequest.Parsed parsed = front.parse(operation, tree, size, plan);
    ClientRequest r = parsed.request();
    if (r == null) {
      asked.refused(Objects.requireNonNull(parsed.error()));
    } else if (operation == ClientRequest.Operation.COUNT_TOKENS) {
      long tokens = new TokenAccounting(plan, r).promptTokens();
      asked.answer(Json.object().put("input_tokens", tokens));
    } else {
      asked.accepted(r);
    }
  }

  /** A prompt route: the body holds the template's variables. */
  private void readPrompt(PromptTemplate prompt) {
    if (method != HttpMethod.POST) {
      release();
      asked.refused(AiError.methodNotAllowed("Use POST for " + path + "."));
      return;
    }
    CompositeByteBuf b = body;
    body = null;
    JsonNode variables;
    try {
      variables = ClientRequest.readJson(b);
    } catch (IOException e) {
      asked.refused(
          AiError.badRequest(null, "invalid_json", "The request body is not valid JSON."));
      return;
    }
    PromptTemplate.Built built = prompt.request(variables, host.rawQuery());
    AiError error = built.error();
    if (error != null) {
      asked.refused(error);
      return;
    }
    asked.accepted(
        new ClientRequest(
            ClientRequest.Operation.CHAT,
            Objects.requireNonNull(built.request()),
            Objects.requireNonNull(plan.models().get(prompt.model())),
            false,
            false));
  }

  private void models(String p) {
    if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
      asked.refused(AiError.methodNotAllowed("Use GET for " + path + "."));
      return;
    }
    int slash = p.indexOf("/models/");
    if (slash < 0) {
      asked.answer(OpenAiFront.modelList(plan));
      return;
    }
    String id = p.substring(slash + "/models/".length());
    AiPlan.Model m = plan.models().get(id);
    if (m == null) {
      asked.refused(
          new AiError(
              HttpResponseStatus.NOT_FOUND,
              AiError.INVALID_REQUEST,
              "model",
              "model_not_found",
              "The model `" + id + "` does not exist or you do not have access to it."));
      return;
    }
    asked.answer(OpenAiFront.model(m));
  }
}
