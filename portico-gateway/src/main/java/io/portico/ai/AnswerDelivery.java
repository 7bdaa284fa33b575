package io.portico.ai;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.portico.spi.plugin.GatewayAnswerHeaders;
import io.portico.spi.plugin.StatusReasons;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Whole answers to the client: a chat completion in the client's front's shape (or, on a prompt
 * route, the template's text or JSON), the models list, and every error, in the front's error shape
 * or as a problem on a route with {@code error-format: problem}. Each answer is one head and one
 * last content with its length; the buffer handed in is owned from then on and passed to the
 * exchange. Confined to the exchange's event loop.
 */
final class AnswerDelivery {

  private final AiRun.Host host;
  private final AiPlan plan;
  private final String path;
  private final StreamedCompletion.Owner owner;
  private Front front = OpenAiFront.INSTANCE;

  AnswerDelivery(AiRun.Host host, AiPlan plan, String path, StreamedCompletion.Owner owner) {
    this.host = host;
    this.plan = plan;
    this.path = path;
    this.owner = owner;
  }

  /** The front whose shapes the answers take (OpenAI's until the request's path says). */
  void front(Front f) {
    front = f;
  }

  /**
   * A whole internal answer for {@code request}: made the prompt route's answer when the route has
   * a template, else put in the front's shape. Returns the error to answer instead (the template
   * found no usable answer), or null when the answer is sent.
   *
   * @param source who answered, for the error: a provider's name, or {@code cache}
   * @param store takes the internal answer (without consuming it) when it is usable
   */
  @Nullable AiError completion(
      ByteBuf completion,
      ClientRequest request,
      Usage usage,
      String source,
      Consumer<ByteBuf> store) {
    PromptTemplate prompt = plan.prompt();
    if (prompt == null) {
      store.accept(completion);
      bytes(
          HttpResponseStatus.OK,
          front.answer(completion, request, usage),
          HttpHeaderValues.APPLICATION_JSON);
      return null;
    }
    JsonNode json;
    try (ByteBufInputStream in = new ByteBufInputStream(completion.retainedDuplicate(), true)) {
      json = Json.MAPPER.readTree((InputStream) in);
    } catch (IOException e) {
      json = null;
    }
    PromptTemplate.Answer a = json == null ? null : prompt.answer(json);
    AiError error = a == null ? AiError.badProvider(source, "answered no JSON") : a.error();
    byte[] body = a == null ? null : a.body();
    if (error != null || a == null || body == null) {
      completion.release();
      return error != null ? error : AiError.badProvider(source, "answered no JSON");
    }
    store.accept(completion);
    completion.release();
    bytes(HttpResponseStatus.OK, Unpooled.wrappedBuffer(body), a.contentType());
    return null;
  }

  /** A JSON answer of the gateway's own (the models list). */
  void json(HttpResponseStatus status, JsonNode json) {
    bytes(status, Unpooled.wrappedBuffer(Json.bytes(json)), HttpHeaderValues.APPLICATION_JSON);
  }

  /** An error, in the front's shape or as a problem. */
  void error(AiError error, long retryAfterSeconds) {
    ByteBuf body;
    CharSequence type;
    if (plan.openAiErrors()) {
      body = Unpooled.wrappedBuffer(Json.bytes(front.error(error)));
      type = HttpHeaderValues.APPLICATION_JSON;
    } else {
      body = Unpooled.wrappedBuffer(Json.bytes(error.problem(path, host.requestId())));
      type = "application/problem+json";
    }
    HttpResponse head = head(error.status(), body, type);
    GatewayAnswerHeaders.mark(head.headers());
    if (retryAfterSeconds > 0 && error.status().code() == 503) {
      head.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
    }
    send(head, body);
  }

  private void bytes(HttpResponseStatus status, ByteBuf body, CharSequence contentType) {
    send(head(status, body, contentType), body);
  }

  private HttpResponse head(HttpResponseStatus status, ByteBuf body, CharSequence contentType) {
    HttpResponse head =
        new DefaultHttpResponse(HttpVersion.HTTP_1_1, StatusReasons.standard(status));
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    head.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    return head;
  }

  private void send(HttpResponse head, ByteBuf body) {
    owner.decorate(head);
    owner.finishing();
    host.onResponseHead(head);
    host.onResponseContent(new DefaultLastHttpContent(body));
  }
}
