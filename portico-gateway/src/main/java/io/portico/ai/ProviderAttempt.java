package io.portico.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.portico.config.AiConfig;
import io.portico.upstream.CallFailure;
import io.portico.upstream.Endpoint;
import io.portico.upstream.UpstreamCall;
import io.portico.upstream.UpstreamHooks;
import io.portico.upstream.UpstreamPools;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call to one target with one key: builds the provider's request (a new head carrying the
 * provider's key alone), reads its answer and tells its {@link Listener} what came of it: a whole
 * answer translated to an OpenAI chat completion, a stream's chunks as they arrive, or a failure
 * classified as retriable (next key, next target) or final.
 *
 * <p>The attempt owns the provider's body while it gathers it (a whole answer, up to {@link
 * #MAX_ANSWER_SIZE}, or an error body, up to {@link #MAX_ERROR_SIZE}) and releases it on {@link
 * #release}. Events of a call its listener no longer counts as current are dropped and released.
 * Confined to the exchange's event loop.
 */
final class ProviderAttempt implements UpstreamCall.Receiver {

  private static final Logger log = LoggerFactory.getLogger(ProviderAttempt.class);

  /** The most bytes read of a provider's whole answer. */
  static final int MAX_ANSWER_SIZE = 32 << 20;

  /** The most bytes read of a provider's error body. */
  static final int MAX_ERROR_SIZE = 64 << 10;

  /** What the run does with an attempt's outcomes; every call is on the event loop. */
  interface Listener {
    /** Whether {@code a} is the run's attempt and the run still answers. */
    boolean current(ProviderAttempt a);

    /** The event loop's clock, for key cool-downs. */
    long nanoTime();

    /** Whether the client has received a byte of a streamed answer. */
    boolean streaming();

    /** The provider started streaming: the translator to feed (the run counts through it). */
    StreamTranslator streamStarted(ProviderAttempt a, StreamTranslator translator);

    /** Chunks for the client (OpenAI payloads); false when the run ended while writing them. */
    boolean relay(List<String> chunks);

    /** The provider's stream ended: complete, or cut before its end. */
    void streamEnded(ProviderAttempt a, Usage usage);

    /** A stream the client is reading failed: end it with {@code error}. */
    void streamCut(ProviderAttempt a, AiError error, Usage usage);

    /** A failure that allows another attempt: next key ({@code sameTarget}) or next target. */
    void retry(ProviderAttempt a, String why, boolean sameTarget);

    /** The same target with the same key once more. */
    void again(ProviderAttempt a);

    /** The attempt timed out before answering. */
    void timedOut(ProviderAttempt a);

    /** A final failure: answer {@code error}. */
    void failed(ProviderAttempt a, AiError error);

    /** A whole answer, translated; {@code bytes} is its JSON, owned by the listener. */
    void answered(ProviderAttempt a, ObjectNode completion, ByteBuf bytes);
  }

  private final AiPlan.Target target;
  private final int slot;
  private final ClientRequest.Operation operation;
  private final boolean stream;
  private final Listener listener;
  private final ByteBufAllocator alloc;
  private @Nullable UpstreamCall call;
  private int status;
  private long retryAfterNanos = -1;
  private @Nullable CompositeByteBuf buffered;
  private @Nullable SseParser parser;
  private @Nullable StreamTranslator translator;
  private final List<SseEvent> events = new ArrayList<>(4);
  private final List<String> out = new ArrayList<>(4);

  private ProviderAttempt(
      TargetOrder.Pick pick, ClientRequest request, Listener listener, ByteBufAllocator alloc) {
    this.target = pick.target();
    this.slot = pick.slot();
    this.operation = request.operation();
    this.stream = request.stream();
    this.listener = listener;
    this.alloc = alloc;
  }

  /**
   * Prepares a call to {@code pick}, or throws when its provider cannot serve the request at all.
   * Nothing is sent until {@link #begin}, which may report a failure to the listener before it
   * returns (a service without an endpoint, an open circuit): the caller makes the attempt its
   * current one first.
   */
  static ProviderAttempt prepare(
      TargetOrder.Pick pick,
      ClientRequest request,
      TargetOrder order,
      UpstreamPools pools,
      UpstreamHooks hooks,
      ByteBufAllocator alloc,
      Listener listener)
      throws ProviderAdapter.Unsupported {
    AiPlan.Target t = pick.target();
    ProviderAdapter adapter = t.provider().adapter();
    ProviderAdapter.Request r =
        request.operation() == ClientRequest.Operation.EMBEDDINGS
            ? adapter.embeddings(request.body(), t.model())
            : adapter.chat(request.body(), t.model(), request.stream());
    byte[] bytes = Json.bytes(r.body());
    HttpRequest head =
        new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, r.pathAndQuery());
    HttpHeaders h = head.headers();
    h.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    h.setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    h.set(HttpHeaderNames.ACCEPT, request.stream() ? "text/event-stream" : "application/json");
    adapter.authorize(h, t.provider().keys().key(pick.slot()));
    ProviderAttempt a = new ProviderAttempt(pick, request, listener, alloc);
    UpstreamCall call =
        new UpstreamCall(pools, t.provider().service(), order.timeouts(t), head, false, hooks, a);
    a.call = call;
    call.send(new DefaultLastHttpContent(Unpooled.wrappedBuffer(bytes)));
    return a;
  }

  /** Starts the prepared call; its outcome, even an immediate failure, goes to the listener. */
  void begin() {
    Objects.requireNonNull(call).start();
  }

  AiPlan.Target target() {
    return target;
  }

  TargetOrder.Pick pick() {
    return new TargetOrder.Pick(target, slot);
  }

  String provider() {
    return target.provider().name();
  }

  void pauseResponse() {
    if (call != null) {
      call.pauseResponse();
    }
  }

  void resumeResponse() {
    if (call != null) {
      call.resumeResponse();
    }
  }

  /** Cancels the call (its connection is closed). */
  void abort() {
    if (call != null) {
      call.abort();
    }
  }

  /** Frees what the attempt gathered. */
  void release() {
    if (buffered != null) {
      buffered.release();
      buffered = null;
    }
  }

  @Override
  public void prepareHead(HttpRequest head, Endpoint endpoint, int n) {
    String hostHeader = target.provider().service().hostHeader();
    head.headers()
        .set(HttpHeaderNames.HOST, hostHeader != null ? hostHeader : endpoint.authority());
  }

  @Override
  public void onResponseHead(HttpResponse head) {
    if (!listener.current(this)) {
      return;
    }
    status = head.status().code();
    retryAfterNanos = RetryAfter.nanos(head.headers().get(HttpHeaderNames.RETRY_AFTER));
    String type = head.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
    if (status / 100 == 2
        && stream
        && type.toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
      parser = new SseParser();
      translator = listener.streamStarted(this, target.provider().adapter().stream(target.model()));
    }
  }

  @Override
  public void onResponseContent(HttpContent content) {
    if (!listener.current(this)) {
      content.release();
      return;
    }
    boolean last = content instanceof LastHttpContent;
    SseParser p = parser;
    if (p != null) {
      try {
        p.feed(content.content(), events);
        if (last) {
          p.end(events);
        }
      } catch (SseParser.Malformed e) {
        content.release();
        streamFailed(
            AiError.badProvider(provider(), redact(String.valueOf(e.getMessage()))), false);
        return;
      }
      content.release();
      if (!relayEvents()) {
        return;
      }
      if (last) {
        StreamTranslator tr = translator();
        boolean complete = tr.onEnd(out);
        flushOut();
        if (complete) {
          listener.streamEnded(this, tr.usage());
        } else {
          streamFailed(
              AiError.badProvider(provider(), "ended its stream before the answer was complete"),
              true);
        }
      }
      return;
    }
    int cap = status / 100 == 2 ? MAX_ANSWER_SIZE : MAX_ERROR_SIZE;
    ByteBuf chunk = content.content();
    int size = (buffered == null ? 0 : buffered.readableBytes()) + chunk.readableBytes();
    if (size > cap) {
      content.release();
      if (status / 100 == 2) {
        abort();
        listener.failed(
            this, AiError.badProvider(provider(), "answered more than " + cap + " bytes"));
        return;
      }
    } else {
      if (chunk.isReadable()) {
        if (buffered == null) {
          buffered = alloc.compositeBuffer();
        }
        buffered.addComponent(true, chunk.retain());
      }
      content.release();
    }
    if (last) {
      whole();
    }
  }

  private StreamTranslator translator() {
    StreamTranslator tr = translator;
    if (tr == null) {
      throw new IllegalStateException("no stream");
    }
    return tr;
  }

  /** Translates and relays the parsed events; false when the run ended with them. */
  private boolean relayEvents() {
    StreamTranslator tr = translator();
    try {
      for (SseEvent e : events) {
        tr.onEvent(e, out);
      }
    } catch (ProviderAdapter.InvalidAnswer e) {
      events.clear();
      out.clear();
      streamFailed(AiError.badProvider(provider(), redact(String.valueOf(e.getMessage()))), false);
      return false;
    } catch (StreamTranslator.StreamError e) {
      events.clear();
      flushOut();
      streamFailed(
          new AiError(
              HttpResponseStatus.BAD_GATEWAY,
              AiError.SERVER_ERROR,
              null,
              "provider_error",
              "Provider "
                  + provider()
                  + " reported an error mid-stream: "
                  + redact(String.valueOf(e.getMessage()))),
          true);
      return false;
    }
    events.clear();
    return flushOut();
  }

  private boolean flushOut() {
    boolean running = out.isEmpty() || listener.relay(out);
    out.clear();
    return running && listener.current(this);
  }

  /**
   * A stream failed: before the client got a byte, a {@code retriable} failure moves to the next
   * target and anything else is answered; afterwards the client's stream ends with the error.
   */
  private void streamFailed(AiError error, boolean retriable) {
    abort();
    if (listener.streaming()) {
      listener.streamCut(this, error, translator == null ? Usage.UNKNOWN : translator.usage());
    } else if (retriable) {
      listener.retry(this, error.message(), false);
    } else {
      listener.failed(this, error);
    }
  }

  /** The whole body of a non-streamed answer or of an error arrived. */
  private void whole() {
    CompositeByteBuf b = buffered;
    buffered = null;
    ByteBuf bytes = b == null ? Unpooled.EMPTY_BUFFER : b;
    KeyRing keys = target.provider().keys();
    if (status == 401 || status == 403) {
      bytes.release();
      keys.coolDown(slot, listener.nanoTime(), -1);
      log.warn("ai provider {} refused key {} ({}); it cools down", provider(), keyName(), status);
      listener.retry(this, "refused the key (" + status + ")", true);
      return;
    }
    if (status == 429) {
      bytes.release();
      keys.coolDown(slot, listener.nanoTime(), retryAfterNanos);
      listener.retry(this, "rate limited (429)", true);
      return;
    }
    if (status >= 500) {
      bytes.release();
      listener.retry(this, "answered " + status, false);
      return;
    }
    JsonNode json;
    try (ByteBufInputStream in = new ByteBufInputStream(bytes.retainedDuplicate(), true)) {
      json = bytes.isReadable() ? Json.MAPPER.readTree((InputStream) in) : null;
    } catch (IOException e) {
      json = null;
    }
    ProviderAdapter adapter = target.provider().adapter();
    if (status / 100 != 2) {
      bytes.release();
      String message = adapter.errorMessage(json);
      listener.failed(
          this,
          AiError.refused(
              status, provider(), message == null ? "status " + status : redact(message)));
      return;
    }
    if (json == null) {
      bytes.release();
      listener.failed(this, AiError.badProvider(provider(), "answered a body that is not JSON"));
      return;
    }
    ObjectNode translated;
    try {
      translated =
          operation == ClientRequest.Operation.EMBEDDINGS
              ? adapter.embeddingsAnswer(json, target.model())
              : adapter.chatAnswer(json, target.model());
    } catch (ProviderAdapter.InvalidAnswer e) {
      bytes.release();
      listener.failed(
          this, AiError.badProvider(provider(), redact(String.valueOf(e.getMessage()))));
      return;
    }
    if (translated != json) {
      bytes.release();
      bytes = Unpooled.wrappedBuffer(Json.bytes(translated));
    }
    listener.answered(this, translated, bytes);
  }

  private String redact(String message) {
    return target.provider().keys().redact(message);
  }

  private String keyName() {
    List<AiConfig.Key> keys = target.provider().config().keys();
    return keys.isEmpty() ? "(none)" : keys.get(slot).reference();
  }

  @Override
  public void onResponseReadComplete() {}

  @Override
  public void onRequestFlowChanged(boolean accepting) {}

  @Override
  public void onFailed(CallFailure reason, String detail) {
    if (!listener.current(this)) {
      return;
    }
    log.debug("ai provider {}: {} ({})", provider(), reason, detail);
    switch (reason) {
      case RESPONSE_TIMEOUT, IDLE_TIMEOUT -> {
        if (listener.streaming()) {
          streamFailed(
              new AiError(
                  HttpResponseStatus.GATEWAY_TIMEOUT,
                  AiError.SERVER_ERROR,
                  null,
                  "timeout",
                  "Provider " + provider() + " went silent mid-stream."),
              false);
        } else {
          listener.timedOut(this);
        }
      }
      case PROTOCOL_ERROR ->
          streamFailed(AiError.badProvider(provider(), "answered malformed HTTP"), false);
      case RESET_AFTER_RESPONSE ->
          streamFailed(AiError.badProvider(provider(), "closed the connection mid-answer"), true);
      case RESET_BEFORE_RESPONSE -> listener.again(this);
      default -> listener.retry(this, describe(reason), false);
    }
  }

  private static String describe(CallFailure reason) {
    return switch (reason) {
      case CONNECT_FAILED -> "connection failed";
      case CONNECT_TIMEOUT -> "connect timed out";
      case TLS_FAILED -> "TLS handshake failed";
      case NO_ENDPOINT -> "no address";
      case POOL_EXHAUSTED -> "too many requests waiting for a connection";
      case RESET_BEFORE_RESPONSE -> "closed the connection before answering";
      default -> reason.name().toLowerCase(Locale.ROOT);
    };
  }

  /** How a failure reads in the list of why each target failed. */
  static String describeReset() {
    return describe(CallFailure.RESET_BEFORE_RESPONSE);
  }
}
