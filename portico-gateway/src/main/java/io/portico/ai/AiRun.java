package io.portico.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.portico.spi.plugin.ExchangeKey;
import io.portico.spi.plugin.Identity;
import io.portico.upstream.UpstreamHooks;
import io.portico.upstream.UpstreamPools;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One exchange's AI request, the coordinator of its steps: takes the client's body in ({@link
 * RequestIntake}, with the {@link Front} for the request's path turning it into a {@link
 * ClientRequest}), runs the route's guard and cache ({@link CacheStep}), charges the token limits
 * ({@link TokenAccounting}), then calls the model's targets in the {@link TargetOrder} one {@link
 * ProviderAttempt} at a time ({@link Attempts}) until one answers, and answers the client whole
 * ({@link AnswerDelivery}) or event by event ({@link StreamedCompletion}).
 *
 * <pre>
 *   READING ─ body complete ─▶ CALLING ─ provider 2xx ─▶ answer (whole, or STREAMING event by event)
 *      │                         │  ▲
 *      │                         │  └── 429, 5xx, connect failure, timeout: next key or next target
 *      │                         │      (only before the client got a byte of the answer)
 *      └─ bad input ─▶ 400       └─ list exhausted ─▶ 503 (504 when every target timed out);
 *                                   provider garbage ─▶ 502
 * </pre>
 *
 * <p>Fallback: a target's provider key that is refused (401, 403) or exhausted (429) cools down
 * ({@code Retry-After} when given, else the provider's {@code key-cooldown}) and the next key of
 * the same provider is tried; a provider whose keys all cool down is skipped. A 5xx, a failed
 * connect or a timeout moves to the next target. Once the first event of a streamed answer has been
 * written to the client there is no fallback: a failure then ends the client's stream with an error
 * event.
 *
 * <p>The client's own headers ({@code Authorization} above all) never reach a provider: every
 * provider request is a new head with the provider's key alone.
 *
 * <p>Threading and ownership: confined to the exchange's event loop; work that completes elsewhere
 * (a Redis cache or token limit) resumes through {@link Host#execute}. The run owns its intake
 * (which holds the client's body until the request is parsed) and its current attempt (which owns
 * the provider's body while it gathers it); everything is released on {@link #abort}. The call's
 * usage is reported to the host exactly once, before the answer's head, or when the client leaves.
 */
public final class AiRun {

  private static final Logger log = LoggerFactory.getLogger(AiRun.class);

  /** What the run needs of its exchange. */
  public interface Host {
    ByteBufAllocator alloc();

    UpstreamPools pools();

    UpstreamHooks hooks();

    /** The event loop's clock. */
    long nanoTime();

    /** The response head for the client (the exchange runs its response phases). */
    void onResponseHead(HttpResponse head);

    /** A piece of the client's response; a {@link LastHttpContent} ends it. */
    void onResponseContent(HttpContent content);

    /** Flushes what was written to the client. */
    void onResponseReadComplete();

    /** The call's usage record, when it ends. */
    void onUsage(AiUsage usage);

    /** Sets a value on the exchange, for the log phase. */
    <T> void set(ExchangeKey<T> key, T value);

    /** The exchange's request id, for problem bodies. */
    String requestId();

    /** The request's raw query, or null. */
    @Nullable String rawQuery();

    /** The consumer the route's plugins authenticated, or null. */
    @Nullable String consumer();

    HttpHeaders requestHeaders();

    /** Runs {@code task} on the exchange's event loop. */
    void execute(Runnable task);

    /** The caller's identity, or null when no plugin established one. */
    default @Nullable Identity identity() {
      return null;
    }

    /** The route's name, or null. */
    default @Nullable String routeName() {
      return null;
    }
  }

  private enum State {
    READING,
    CALLING,
    STREAMING,
    DONE
  }

  private final AiPlan plan;
  private final String path;
  private final Host host;
  private final long startNanos;
  private final Steps steps = new Steps();
  private final AnswerDelivery delivery;
  private final RequestIntake intake;
  private final Front front;
  private State state = State.READING;

  // the call, once the request is parsed
  private @Nullable ClientRequest request;
  private @Nullable TokenAccounting accounting;
  private @Nullable Attempts attempts;
  private AiPlan.@Nullable Target answered;
  private @Nullable StreamedCompletion streamed;
  private @Nullable CompletionAssembler assembler;

  // the route's guard and cache
  private final Masking.Counts masked = new Masking.Counts();
  private boolean maskChecked;
  private final @Nullable CacheStep cache;
  private boolean reported;

  public AiRun(AiPlan plan, HttpMethod method, String path, Host host) {
    this.plan = plan;
    this.path = path;
    this.host = host;
    this.startNanos = host.nanoTime();
    this.delivery = new AnswerDelivery(host, plan, path, steps);
    this.cache = CacheStep.of(plan);
    this.intake = new RequestIntake(plan, method, path, host, steps);
    this.front = intake.front();
    delivery.front(front);
  }

  // ---------------------------------------------------------------- the client's request

  /** A piece of the client's body (owned from here); the last one starts the call. */
  public void onRequestContent(HttpContent content) {
    if (state != State.READING) {
      content.release();
      return;
    }
    intake.add(content);
  }

  /** The request is valid: the route's guard and masking, its cache, then the providers. */
  private void proceed(ClientRequest r) {
    request = r;
    accounting = new TokenAccounting(plan, r);
    state = State.CALLING;
    boolean chat = r.operation() == ClientRequest.Operation.CHAT;
    PromptGuard guard = plan.guard();
    if (guard != null && chat) {
      AiError refused = guard.check(r.body());
      if (refused != null) {
        fail(refused);
        return;
      }
      guard.mask(r.body(), masked);
      maskChecked = guard.masks();
    }
    CacheStep c = cache;
    if (c != null && chat) {
      c.lookup(r.body(), host, this::cacheVerdict);
      return;
    }
    call();
  }

  /** The cache's verdict: a cached answer to send, or null to call the providers. */
  private void cacheVerdict(byte @Nullable [] answer) {
    if (state != State.CALLING || (attempts != null && attempts.running())) {
      return;
    }
    if (answer == null) {
      call();
    } else if (Objects.requireNonNull(request).stream()) {
      replay(answer);
    } else {
      deliver(Unpooled.wrappedBuffer(answer), "cache", false);
    }
  }

  /** A cached answer to a streaming request: its chunks, as the client's front streams them. */
  private void replay(byte[] answer) {
    ClientRequest r = Objects.requireNonNull(request);
    JsonNode completion;
    try {
      completion = Json.MAPPER.readTree(answer);
    } catch (IOException e) {
      completion = null;
    }
    if (completion == null || !completion.isObject()) {
      fail(AiError.badProvider("cache", "answered no JSON"));
      return;
    }
    StreamedCompletion s =
        new StreamedCompletion(host, front.stream(r, steps::tokens), steps, startNanos);
    streamed = s;
    for (String data : CompletionAssembler.chunks(completion, r.usageChunk())) {
      if (state == State.DONE) {
        return;
      }
      s.write(data);
      if (state == State.CALLING && s.started()) {
        state = State.STREAMING;
      }
    }
    if (state == State.STREAMING) {
      s.end(null);
    }
  }

  /** Charges the token limits when the route has any, then starts the first attempt. */
  private void call() {
    ClientRequest r = Objects.requireNonNull(request);
    Attempts a = new Attempts(r, host, steps, this::fail);
    attempts = a;
    if (!plan.budget().active()) {
      a.next();
      return;
    }
    CompletableFuture<TokenBudget.Reservation> f =
        Objects.requireNonNull(accounting)
            .reserve(host.identity(), host.routeName())
            .toCompletableFuture();
    if (f.isDone()) {
      reserved(f.join());
    } else {
      f.whenComplete(
          (res, error) ->
              host.execute(
                  () -> {
                    if (error != null) {
                      fail(AiError.allFailed(r.model().name(), "the token limits failed"));
                    } else {
                      reserved(res);
                    }
                  }));
    }
  }

  private void reserved(TokenBudget.Reservation r) {
    if (state == State.DONE) {
      r.settle(0);
      return;
    }
    AiError refusal = Objects.requireNonNull(accounting).reserved(r);
    if (refusal != null) {
      fail(refusal);
      return;
    }
    Objects.requireNonNull(attempts).next();
  }

  // ---------------------------------------------------------------- answers to the client

  /**
   * A whole chat completion (or embeddings list) to send: stored in the cache when it is {@code
   * fresh} and the request missed it.
   */
  private void deliver(ByteBuf completion, String source, boolean fresh) {
    ClientRequest r = Objects.requireNonNull(request);
    TokenAccounting acc = Objects.requireNonNull(accounting);
    AiError error =
        delivery.completion(
            completion, r, acc.tokens(answered != null), source, fresh ? this::store : b -> {});
    if (error != null) {
      fail(error);
    }
  }

  private void store(ByteBuf completion) {
    if (cache != null && cache.storing()) {
      cache.store(ByteBufUtil.getBytes(completion));
    }
  }

  private @Nullable String cacheStatus() {
    return cache == null ? null : cache.status();
  }

  private void fail(AiError error) {
    if (state == State.DONE) {
      return;
    }
    StreamedCompletion s = streamed;
    if (state == State.STREAMING && s != null) {
      log.debug("ai stream of {} cut: {}", path, error.message());
      s.end(error);
      return;
    }
    if (error.status().code() >= 500) {
      log.debug("ai request to {} failed: {}", path, error.message());
    }
    delivery.error(error, attempts == null ? -1 : attempts.retryAfterSeconds());
  }

  /** Records the call on the exchange, once. */
  private void reportUsage() {
    String cacheStatus = cacheStatus();
    if (maskChecked || cacheStatus != null) {
      host.set(
          AiRequestChecks.KEY,
          new AiRequestChecks(maskChecked, masked.emails, masked.cards, cacheStatus));
    }
    TokenAccounting acc = accounting;
    if (acc == null || reported) {
      return;
    }
    reported = true;
    StreamedCompletion s = streamed;
    AiUsage usage =
        acc.settle(
            answered,
            s == null ? -1 : s.firstEventMillis(),
            attempts == null ? 0 : attempts.started(),
            (host.nanoTime() - startNanos) / 1e6);
    if (usage != null) {
      host.onUsage(usage);
    }
  }

  // ---------------------------------------------------------------- the exchange's side

  /** The client cannot take more: stop reading the provider. */
  public void pauseResponse() {
    if (attempts != null) {
      attempts.pauseResponse();
    }
  }

  public void resumeResponse() {
    if (attempts != null) {
      attempts.resumeResponse();
    }
  }

  /**
   * The exchange ended (the client left, or the answer is out): cancels the call, frees buffers.
   */
  public void abort() {
    if (state == State.STREAMING || state == State.CALLING) {
      if (accounting != null) {
        accounting.clientLeft();
      }
      reportUsage();
    }
    state = State.DONE;
    intake.release();
    if (attempts != null) {
      attempts.abort();
    }
  }

  /**
   * The run's side of its parts: what an attempt's outcomes do, and what answers need of the run.
   */
  private final class Steps
      implements RequestIntake.Asked, ProviderAttempt.Listener, StreamedCompletion.Owner {

    @Override
    public void accepted(ClientRequest request) {
      proceed(request);
    }

    @Override
    public void answer(JsonNode json) {
      delivery.json(HttpResponseStatus.OK, json);
    }

    @Override
    public void refused(AiError error) {
      fail(error);
    }

    @Override
    public boolean current(ProviderAttempt a) {
      return attempts != null && attempts.current(a) && state != State.DONE;
    }

    @Override
    public long nanoTime() {
      return host.nanoTime();
    }

    @Override
    public boolean streaming() {
      return state == State.STREAMING;
    }

    @Override
    public StreamTranslator streamStarted(ProviderAttempt a, StreamTranslator translator) {
      answered = a.target();
      ClientRequest r = Objects.requireNonNull(request);
      streamed = new StreamedCompletion(host, front.stream(r, this::tokens), this, startNanos);
      assembler = cache != null && cache.storing() ? new CompletionAssembler() : null;
      return Objects.requireNonNull(accounting).counting(translator, a.target().model());
    }

    Usage tokens() {
      return Objects.requireNonNull(accounting).tokens(answered != null);
    }

    @Override
    public boolean relay(List<String> chunks) {
      StreamedCompletion s = Objects.requireNonNull(streamed);
      for (String data : chunks) {
        if (state == State.DONE) {
          break;
        }
        if (assembler != null) {
          assembler.add(data);
        }
        s.write(data);
        if (state == State.CALLING && s.started()) {
          state = State.STREAMING;
        }
      }
      return state != State.DONE;
    }

    @Override
    public void streamEnded(ProviderAttempt a, Usage usage) {
      Objects.requireNonNull(accounting).reported(usage);
      if (state == State.STREAMING) {
        CompletionAssembler whole = assembler;
        if (whole != null) {
          // Only a stream that ended cleanly is stored, never one cut short.
          whole.reported(usage);
          Objects.requireNonNull(cache).store(Json.bytes(whole.completion()));
        }
        Objects.requireNonNull(streamed).end(null);
      }
    }

    @Override
    public void streamCut(ProviderAttempt a, AiError error, Usage usage) {
      Objects.requireNonNull(accounting).reported(usage);
      fail(error);
    }

    @Override
    public void retry(ProviderAttempt a, String why, boolean sameTarget) {
      if (state != State.DONE) {
        Objects.requireNonNull(attempts).retry(a, why, sameTarget);
      }
    }

    @Override
    public void again(ProviderAttempt a) {
      if (state != State.DONE) {
        Objects.requireNonNull(attempts).again(a);
      }
    }

    @Override
    public void timedOut(ProviderAttempt a) {
      if (state != State.DONE) {
        Objects.requireNonNull(attempts).timedOut(a);
      }
    }

    @Override
    public void failed(ProviderAttempt a, AiError error) {
      if (current(a)) {
        fail(error);
      }
    }

    @Override
    public void answered(ProviderAttempt a, ObjectNode completion, ByteBuf bytes) {
      answered = a.target();
      Objects.requireNonNull(accounting).answered(completion, a.target().model());
      Objects.requireNonNull(attempts).answered();
      deliver(bytes, a.provider(), true);
    }

    @Override
    public void decorate(HttpResponse head) {
      String cacheStatus = cacheStatus();
      if (cacheStatus != null) {
        head.headers().set(ResponseCache.HEADER, cacheStatus);
      }
      if (accounting != null) {
        accounting.headers(head.headers());
      }
    }

    @Override
    public void finishing() {
      state = State.DONE;
      reportUsage();
    }
  }
}
