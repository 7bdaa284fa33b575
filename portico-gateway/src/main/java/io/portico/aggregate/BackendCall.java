package io.portico.aggregate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.portico.observe.ExchangeRecord;
import io.portico.upstream.CallFailure;
import io.portico.upstream.Endpoint;
import io.portico.upstream.UpstreamCall;
import io.portico.upstream.UpstreamHooks;
import io.portico.upstream.UpstreamPools;
import io.portico.upstream.UpstreamService;
import org.jspecify.annotations.Nullable;

/**
 * One backend's call within an {@link Aggregation}: makes the {@link UpstreamCall} (the service's
 * balancing, pools, timeouts and safe retries), reads the body up to the aggregate's cap and tells
 * the aggregation when it succeeded or failed.
 *
 * <pre>
 *   WAITING ─ start() ─▶ RUNNING ─ last chunk ─▶ ANSWERED (body held until taken)
 *      │                    └──── failure, cap, deadline ─▶ FAILED
 *      └─ a dependency failed, or the aggregate ended ─▶ FAILED / CANCELLED
 * </pre>
 *
 * <p>Buffers: the body chunks are owned from {@link #onResponseContent} and copied, each once, into
 * one buffer that grows up to the aggregate's cap, which {@link #takeBody} hands over or {@link
 * #cancel} and {@link #fail} release. A copy rather than a composite of the chunks: a backend
 * sending a body in thousands of one-byte chunks would otherwise make the composite consolidate
 * (copy everything so far) every few chunks, quadratic work on the event loop. Confined to the
 * exchange's event loop.
 */
final class BackendCall implements UpstreamCall.Receiver {

  enum State {
    WAITING,
    RUNNING,
    ANSWERED,
    FAILED,
    CANCELLED
  }

  private final Backend backend;
  private final Aggregation owner;
  private State state = State.WAITING;
  private @Nullable UpstreamCall call;
  private @Nullable ByteBuf body;
  private @Nullable String contentType;
  private @Nullable BackendFailure failure;
  private JsonNode value = NullNode.getInstance();
  private @Nullable JsonNode received;
  private int status;
  private long startNanos;
  private long endNanos;
  private long deadlineNanos = Long.MAX_VALUE;

  BackendCall(Backend backend, Aggregation owner) {
    this.backend = backend;
    this.owner = owner;
  }

  Backend backend() {
    return backend;
  }

  State state() {
    return state;
  }

  boolean finished() {
    return state != State.WAITING && state != State.RUNNING;
  }

  @Nullable BackendFailure failure() {
    return failure;
  }

  int status() {
    return status;
  }

  @Nullable String contentType() {
    return contentType;
  }

  long deadlineNanos() {
    return deadlineNanos;
  }

  /** What the aggregation made of the answered body (a parsed and shaped JSON tree), or null. */
  JsonNode value() {
    return value;
  }

  void value(JsonNode v) {
    this.value = v;
  }

  /**
   * The body as it was received, parsed, before its merge rule shaped it: what {@code
   * ${backend.NAME./POINTER}} reads; null unless the backend answered and another reads it.
   */
  @Nullable JsonNode received() {
    return received;
  }

  void received(JsonNode v) {
    this.received = v;
  }

  /**
   * Starts the call with {@code request} (rendered by the aggregation); may end it at once (no
   * endpoint), telling the aggregation from here.
   */
  void start(
      UpstreamPools pools,
      UpstreamHooks hooks,
      Aggregation.Host host,
      Backend.Request request,
      long now,
      long limit) {
    state = State.RUNNING;
    startNanos = now;
    long own = backend.timeoutNanos();
    deadlineNanos = own == Long.MAX_VALUE ? limit : Math.min(limit, now + own);
    HttpRequest head = request.head();
    host.prepareBackendHead(head);
    UpstreamService service = backend.service();
    UpstreamCall c =
        new UpstreamCall(
            pools, service, service.timeouts(), head, false, host.backendHooks(hooks, head), this);
    call = c;
    byte[] bytes = request.body();
    c.send(
        bytes == null
            ? LastHttpContent.EMPTY_LAST_CONTENT
            : new DefaultLastHttpContent(Unpooled.wrappedBuffer(bytes)));
    c.start();
  }

  /** The body read, handed over to the caller (who releases it); empty when there was none. */
  ByteBuf takeBody() {
    ByteBuf b = body;
    body = null;
    return b == null ? Unpooled.EMPTY_BUFFER : b;
  }

  /** Fails the backend for a reason of the aggregation's (a deadline, a dependency, its body). */
  void fail(BackendFailure why, long now) {
    if (finished()) {
      return;
    }
    abortCall();
    releaseBody();
    failure = why;
    state = State.FAILED;
    endNanos = now;
    owner.onBackendEnded(this);
  }

  /** An answer whose body turned out unusable (malformed, not 2xx, not the expected shape). */
  void markFailed(BackendFailure why) {
    releaseBody();
    failure = why;
    state = State.FAILED;
  }

  /** Ends the backend quietly: the aggregate has its answer, or the client left. */
  void cancel(long now) {
    releaseBody();
    if (finished()) {
      return;
    }
    if (state == State.RUNNING) {
      endNanos = now;
    }
    abortCall();
    state = State.CANCELLED;
  }

  private void abortCall() {
    if (call != null) {
      call.abort();
    }
  }

  private void releaseBody() {
    if (body != null) {
      body.release();
      body = null;
    }
  }

  ExchangeRecord.Backend record() {
    Endpoint endpoint = call == null ? null : call.endpoint();
    String code =
        failure != null ? failure.cause().code() : state == State.CANCELLED ? "cancelled" : null;
    return new ExchangeRecord.Backend(
        backend.name(),
        backend.service().name(),
        endpoint == null ? null : endpoint.authority(),
        status,
        startNanos == 0 || endNanos == 0 ? -1 : (endNanos - startNanos) / 1e6,
        code);
  }

  // ---------------------------------------------------------------- UpstreamCall.Receiver

  @Override
  public void prepareHead(HttpRequest head, Endpoint endpoint, int attempt) {
    String hostHeader = backend.service().hostHeader();
    head.headers()
        .set(HttpHeaderNames.HOST, hostHeader != null ? hostHeader : endpoint.authority());
  }

  @Override
  public void onResponseHead(HttpResponse head) {
    if (state != State.RUNNING) {
      return;
    }
    status = head.status().code();
    contentType = head.headers().get(HttpHeaderNames.CONTENT_TYPE);
    long declared = HttpUtil.getContentLength(head, -1L);
    if (declared > owner.maxBodySize()) {
      fail(tooLarge(), owner.now());
    }
  }

  @Override
  public void onResponseContent(HttpContent content) {
    if (state != State.RUNNING) {
      content.release();
      return;
    }
    ByteBuf chunk = content.content();
    // long: a cap near Integer.MAX_VALUE must not wrap around to a negative size
    long size = (body == null ? 0L : body.readableBytes()) + chunk.readableBytes();
    if (size > owner.maxBodySize()) {
      content.release();
      fail(tooLarge(), owner.now());
      return;
    }
    if (chunk.isReadable()) {
      if (body == null) {
        int max = owner.maxBodySize();
        body = owner.alloc().buffer((int) Math.min(Math.max(size, 1024), max), max);
      }
      body.writeBytes(chunk);
    }
    content.release();
    if (content instanceof LastHttpContent) {
      state = State.ANSWERED;
      endNanos = owner.now();
      owner.onBackendEnded(this);
    }
  }

  @Override
  public void onResponseReadComplete() {}

  @Override
  public void onRequestFlowChanged(boolean accepting) {}

  @Override
  public void onFailed(CallFailure reason, String detail) {
    if (state != State.RUNNING) {
      return;
    }
    releaseBody();
    failure = BackendFailure.of(reason);
    state = State.FAILED;
    endNanos = owner.now();
    owner.onBackendEnded(this);
  }

  private BackendFailure tooLarge() {
    return new BackendFailure(
        BackendFailure.Cause.BODY_TOO_LARGE,
        status,
        "The body is larger than " + owner.maxBodySize() + " bytes.");
  }
}
