package io.portico.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
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
import io.portico.spi.plugin.ExchangeKey;
import io.portico.spi.plugin.Identity;
import io.portico.upstream.CallFailure;
import io.portico.upstream.Endpoint;
import io.portico.upstream.UpstreamCall;
import io.portico.upstream.UpstreamHooks;
import io.portico.upstream.UpstreamPools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One exchange's AI request: reads the client's body, answers {@code /models} itself, and for
 * {@code /chat/completions} and {@code /embeddings} calls the model's targets in turn until one
 * answers, translating to and from the provider's format.
 *
 * <pre>
 *   READING ─ body complete ─▶ CALLING ─ provider 2xx ─▶ answer (whole, or streamed event by event)
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
 * <p>Buffers: the request body is gathered in one composite buffer owned by the run until the
 * request is parsed; a provider's body (non-streamed, or an error) likewise until it is translated.
 * Everything is released on {@link #abort}. Confined to the exchange's event loop.
 */
public final class AiRun {

  private static final Logger log = LoggerFactory.getLogger(AiRun.class);

  /** The most bytes read of a provider's whole answer. */
  static final int MAX_ANSWER_SIZE = 32 << 20;

  /** The most bytes read of a provider's error body. */
  static final int MAX_ERROR_SIZE = 64 << 10;

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

  private enum Operation {
    CHAT,
    EMBEDDINGS
  }

  private final AiPlan plan;
  private final HttpMethod method;
  private final String path;
  private final Host host;
  private final long startNanos;
  private State state = State.READING;
  private @Nullable CompositeByteBuf body;

  // the call
  private Operation operation = Operation.CHAT;
  private @Nullable ObjectNode request;
  private AiPlan.@Nullable Model model;
  private boolean stream;
  private AiPlan.Target[] order = new AiPlan.Target[0];
  private int targetIndex;
  private long triedSlots;
  private int attempts;
  private int timeouts;
  private boolean resetRetried;
  private long retryAfterSeconds = -1;
  private final List<String> failures = new ArrayList<>();
  private @Nullable Attempt attempt;
  private AiPlan.@Nullable Target answered;
  private Usage usage = Usage.UNKNOWN;
  private double firstEventMillis = -1;

  // the route's guard and cache
  private final Masking.Counts masked = new Masking.Counts();
  private @Nullable String cacheKey;
  private @Nullable String cacheStatus;

  // token accounting (see TokenBudget, TokenCounter)
  private boolean usageChunk;
  private long promptTokens = -1;
  private long answerTokens = -1;
  private @Nullable CountedStream counted;
  private TokenBudget.@Nullable Reservation reservation;
  private boolean reported;

  public AiRun(AiPlan plan, HttpMethod method, String path, Host host) {
    this.plan = plan;
    this.method = method;
    this.path = path;
    this.host = host;
    this.startNanos = host.nanoTime();
  }

  // ---------------------------------------------------------------- the client's request

  /** A piece of the client's body (owned from here); the last one starts the call. */
  public void onRequestContent(HttpContent content) {
    if (state != State.READING) {
      content.release();
      return;
    }
    ByteBuf chunk = content.content();
    long size = (body == null ? 0 : body.readableBytes()) + (long) chunk.readableBytes();
    if (size > plan.maxRequestSize()) {
      content.release();
      releaseBody();
      fail(AiError.tooLarge(plan.maxRequestSize()));
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
      dispatch();
    }
  }

  private void dispatch() {
    if (plan.prompt() != null) {
      dispatchPrompt(plan.prompt());
      return;
    }
    String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    if (p.endsWith("/models") || p.contains("/models/")) {
      releaseBody();
      models(p);
      return;
    }
    if (p.endsWith("/chat/completions")) {
      operation = Operation.CHAT;
    } else if (p.endsWith("/embeddings")) {
      operation = Operation.EMBEDDINGS;
    } else {
      releaseBody();
      fail(AiError.notFound("Unknown request URL: " + method.name() + " " + path + "."));
      return;
    }
    if (method != HttpMethod.POST) {
      releaseBody();
      fail(AiError.methodNotAllowed("Use POST for " + path + "."));
      return;
    }
    AiError bad = parseRequest();
    if (bad != null) {
      fail(bad);
      return;
    }
    proceed();
  }

  /** A prompt route: the body holds the template's variables. */
  private void dispatchPrompt(PromptTemplate prompt) {
    if (method != HttpMethod.POST) {
      releaseBody();
      fail(AiError.methodNotAllowed("Use POST for " + path + "."));
      return;
    }
    JsonNode variables;
    try {
      variables = readBody();
    } catch (IOException e) {
      fail(AiError.badRequest(null, "invalid_json", "The request body is not valid JSON."));
      return;
    }
    PromptTemplate.Built built = prompt.request(variables, host.rawQuery());
    if (built.error() != null) {
      fail(built.error());
      return;
    }
    operation = Operation.CHAT;
    request = built.request();
    model = Objects.requireNonNull(plan.models().get(prompt.model()));
    proceed();
  }

  /** The request is valid: the route's guard and masking, its cache, then the providers. */
  private void proceed() {
    ObjectNode req = Objects.requireNonNull(request);
    state = State.CALLING;
    PromptGuard guard = plan.guard();
    if (guard != null && operation == Operation.CHAT) {
      AiError refused = guard.check(req);
      if (refused != null) {
        fail(refused);
        return;
      }
      guard.mask(req, masked);
    }
    ResponseCache cache = plan.cache();
    if (cache != null && operation == Operation.CHAT) {
      if (stream || ResponseCache.refusedBy(host.requestHeaders())) {
        cacheStatus = ResponseCache.BYPASS;
      } else {
        String key = ResponseCache.key(req, plan.sharedCache() ? null : host.consumer());
        CompletableFuture<byte @Nullable []> lookup;
        try {
          lookup = cache.get(key);
        } catch (RuntimeException e) {
          lookup = CompletableFuture.failedFuture(e);
        }
        if (lookup.isCompletedExceptionally()) {
          cached(key, null, true);
        } else if (lookup.isDone()) {
          cached(key, lookup.getNow(null), false);
        } else {
          lookup.whenComplete(
              (answer, error) -> host.execute(() -> cached(key, answer, error != null)));
        }
        return;
      }
    }
    call();
  }

  private void cached(String key, byte @Nullable [] answer, boolean failed) {
    if (state != State.CALLING || attempt != null) {
      return;
    }
    if (failed) {
      log.debug("ai cache of {} unavailable; the request bypasses it", path);
      cacheStatus = ResponseCache.BYPASS;
    } else if (answer == null) {
      cacheStatus = ResponseCache.MISS;
      cacheKey = key;
    } else {
      cacheStatus = ResponseCache.HIT;
      deliver(Unpooled.wrappedBuffer(answer), false);
      return;
    }
    call();
  }

  private void call() {
    order = Objects.requireNonNull(model).order();
    if (plan.budget().active()) {
      reserve();
      return;
    }
    next();
  }

  /**
   * A whole chat completion (or embeddings list) to send: made the prompt route's answer when the
   * route has a template, stored in the cache when it is fresh and usable.
   */
  private void deliver(ByteBuf completion, boolean fresh) {
    PromptTemplate prompt = plan.prompt();
    if (prompt != null) {
      JsonNode json;
      try (ByteBufInputStream in = new ByteBufInputStream(completion.retainedDuplicate(), true)) {
        json = Json.MAPPER.readTree((java.io.InputStream) in);
      } catch (IOException e) {
        json = null;
      }
      PromptTemplate.Answer a = json == null ? null : prompt.answer(json);
      if (a == null || a.error() != null) {
        completion.release();
        fail(
            a == null
                ? AiError.badProvider(
                    answered == null ? "cache" : answered.provider().name(), "answered no JSON")
                : Objects.requireNonNull(a.error()));
        return;
      }
      store(completion, fresh);
      completion.release();
      answerBytes(
          HttpResponseStatus.OK,
          Unpooled.wrappedBuffer(Objects.requireNonNull(a.body())),
          a.contentType());
      return;
    }
    store(completion, fresh);
    answerBytes(HttpResponseStatus.OK, completion);
  }

  private void store(ByteBuf completion, boolean fresh) {
    ResponseCache cache = plan.cache();
    String key = cacheKey;
    if (fresh && cache != null && key != null) {
      cache.put(key, ByteBufUtil.getBytes(completion));
    }
  }

  /** The client's body as JSON, null when empty (the body buffer released). */
  private @Nullable JsonNode readBody() throws IOException {
    CompositeByteBuf b = body;
    body = null;
    if (b == null) {
      return null;
    }
    if (!b.isReadable()) {
      b.release();
      return null;
    }
    try (ByteBufInputStream in = new ByteBufInputStream(b, true)) {
      return Json.MAPPER.readTree((java.io.InputStream) in);
    }
  }

  /** Charges the call's estimate to the token limits, then starts it or answers the refusal. */
  private void reserve() {
    AiPlan.Model m = Objects.requireNonNull(model);
    long estimate = promptTokens() + completionAllowance();
    java.util.concurrent.CompletableFuture<TokenBudget.Reservation> f =
        plan.budget()
            .reserve(host.identity(), host.routeName(), m.name(), estimate)
            .toCompletableFuture();
    if (f.isDone()) {
      reserved(f.join());
    } else {
      f.whenComplete(
          (r, error) ->
              host.execute(
                  () -> {
                    if (error != null) {
                      fail(AiError.allFailed(m.name(), "the token limits failed"));
                    } else {
                      reserved(r);
                    }
                  }));
    }
  }

  private void reserved(TokenBudget.Reservation r) {
    if (state == State.DONE) {
      r.settle(0);
      return;
    }
    reservation = r;
    AiError refusal = r.refusal();
    if (refusal != null) {
      fail(refusal);
      return;
    }
    next();
  }

  /** The prompt's tokens as the tokenizer counts them, counted once. */
  private long promptTokens() {
    if (promptTokens < 0) {
      ObjectNode req = Objects.requireNonNull(request);
      com.knuddels.jtokkit.api.Encoding enc =
          TokenCounter.encoding(Objects.requireNonNull(model).name());
      promptTokens =
          operation == Operation.CHAT
              ? TokenCounter.chatPrompt(enc, req)
              : TokenCounter.embeddingsInput(enc, req);
    }
    return promptTokens;
  }

  /** The completion tokens a request may use: its maximum, or the configured estimate. */
  private long completionAllowance() {
    if (operation != Operation.CHAT) {
      return 0;
    }
    ObjectNode req = Objects.requireNonNull(request);
    for (String field : new String[] {"max_completion_tokens", "max_tokens"}) {
      JsonNode n = req.get(field);
      if (n != null && n.canConvertToLong() && n.asLong() > 0) {
        return n.asLong();
      }
    }
    return plan.budget().completionEstimate();
  }

  /** Reads and checks the body; null when it is usable. */
  private @Nullable AiError parseRequest() {
    CompositeByteBuf b = body;
    body = null;
    JsonNode tree;
    long size = b == null ? 0 : b.readableBytes();
    try (ByteBufInputStream in =
        new ByteBufInputStream(b == null ? Unpooled.EMPTY_BUFFER : b, true)) {
      tree = size == 0 ? null : Json.MAPPER.readTree((java.io.InputStream) in);
    } catch (IOException e) {
      return AiError.badRequest(null, "invalid_json", "The request body is not valid JSON.");
    }
    if (tree == null || !tree.isObject()) {
      return AiError.badRequest(null, "invalid_json", "The request body must be a JSON object.");
    }
    ObjectNode req = (ObjectNode) tree;
    JsonNode m = req.get("model");
    if (m == null || !m.isTextual() || m.asText().isEmpty()) {
      return AiError.badRequest(
          "model", "missing_required_parameter", "You must provide a model parameter.");
    }
    model = plan.models().get(m.asText());
    if (model == null) {
      return AiError.badRequest(
          "model",
          "model_not_found",
          "The model `" + m.asText() + "` does not exist or you do not have access to it.");
    }
    if (size > model.config().maxRequestSize()) {
      return AiError.tooLarge(model.config().maxRequestSize());
    }
    if (operation == Operation.CHAT) {
      JsonNode messages = req.get("messages");
      if (messages == null || !messages.isArray() || messages.isEmpty()) {
        return AiError.badRequest(
            "messages",
            "missing_required_parameter",
            "You must provide a non-empty messages array.");
      }
      for (JsonNode msg : messages) {
        if (!msg.isObject() || !msg.path("role").isTextual()) {
          return AiError.badRequest(
              "messages", "invalid_value", "Each message must be an object with a role.");
        }
      }
      JsonNode s = req.get("stream");
      stream = s != null && s.asBoolean(false);
      usageChunk = req.path("stream_options").path("include_usage").asBoolean(false);
    } else if (!req.has("input")) {
      return AiError.badRequest(
          "input", "missing_required_parameter", "You must provide an input.");
    }
    request = req;
    return null;
  }

  private void models(String p) {
    if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
      fail(AiError.methodNotAllowed("Use GET for " + path + "."));
      return;
    }
    int slash = p.indexOf("/models/");
    if (slash >= 0) {
      String id = p.substring(slash + "/models/".length());
      AiPlan.Model m = plan.models().get(id);
      if (m == null) {
        fail(
            new AiError(
                HttpResponseStatus.NOT_FOUND,
                AiError.INVALID_REQUEST,
                "model",
                "model_not_found",
                "The model `" + id + "` does not exist or you do not have access to it."));
        return;
      }
      answer(HttpResponseStatus.OK, modelJson(m));
      return;
    }
    ObjectNode list = Json.object().put("object", "list");
    ArrayNode data = list.putArray("data");
    for (AiPlan.Model m : plan.models().values()) {
      data.add(modelJson(m));
    }
    answer(HttpResponseStatus.OK, list);
  }

  private static ObjectNode modelJson(AiPlan.Model m) {
    return Json.object()
        .put("id", m.name())
        .put("object", "model")
        .put("created", 0)
        .put("owned_by", "portico");
  }

  // ---------------------------------------------------------------- targets and attempts

  /** Starts the next usable target (or key), or ends with the list exhausted. */
  private void next() {
    long now = host.nanoTime();
    while (targetIndex < order.length) {
      AiPlan.Target t = order[targetIndex];
      int slot = t.provider().keys().next(now, triedSlots);
      if (slot >= 0) {
        startAttempt(t, slot);
        return;
      }
      if (triedSlots == 0) {
        failures.add(t.provider().name() + ": every key is cooling down");
      }
      targetIndex++;
      triedSlots = 0;
    }
    exhausted();
  }

  private void startAttempt(AiPlan.Target t, int slot) {
    attempts++;
    ProviderAdapter adapter = t.provider().adapter();
    ProviderAdapter.Request r;
    try {
      r =
          operation == Operation.CHAT
              ? adapter.chat(Objects.requireNonNull(request), t.model(), stream)
              : adapter.embeddings(Objects.requireNonNull(request), t.model());
    } catch (ProviderAdapter.Unsupported e) {
      failures.add(t.provider().name() + ": " + String.valueOf(e.getMessage()));
      targetIndex++;
      triedSlots = 0;
      next();
      return;
    }
    byte[] bytes = Json.bytes(r.body());
    HttpRequest head =
        new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, r.pathAndQuery());
    HttpHeaders h = head.headers();
    h.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    h.setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    h.set(HttpHeaderNames.ACCEPT, stream ? "text/event-stream" : "application/json");
    adapter.authorize(h, t.provider().keys().key(slot));
    Attempt a = new Attempt(t, slot);
    attempt = a;
    UpstreamCall call =
        new UpstreamCall(
            host.pools(),
            t.provider().service(),
            Objects.requireNonNull(model).timeouts()[indexOf(t)],
            head,
            false,
            host.hooks(),
            a);
    a.call = call;
    call.send(new DefaultLastHttpContent(Unpooled.wrappedBuffer(bytes)));
    call.start();
  }

  private int indexOf(AiPlan.Target t) {
    List<AiPlan.Target> targets = Objects.requireNonNull(model).targets();
    for (int i = 0; i < targets.size(); i++) {
      if (targets.get(i) == t) {
        return i;
      }
    }
    return 0;
  }

  /** The attempt failed in a way that allows another: next key or next target. */
  private void retry(Attempt a, String why, boolean sameTarget) {
    if (a != attempt || state == State.DONE) {
      return;
    }
    a.release();
    attempt = null;
    failures.add(a.target.provider().name() + ": " + why);
    if (sameTarget) {
      triedSlots |= 1L << Math.min(a.slot, 63);
    } else {
      targetIndex++;
      triedSlots = 0;
    }
    next();
  }

  /** The same target with the same key once more (the attempt failed before being answered). */
  private void again(Attempt a) {
    if (a != attempt || state == State.DONE) {
      return;
    }
    a.release();
    attempt = null;
    startAttempt(a.target, a.slot);
  }

  private void exhausted() {
    String modelName = model == null ? "?" : model.name();
    String detail = failures.isEmpty() ? "no target" : String.join("; ", failures);
    boolean allTimedOut = timeouts > 0 && timeouts == failures.size();
    if (allTimedOut) {
      fail(AiError.timeout(modelName, detail));
      return;
    }
    // When a target is only cooling down, tell the client when one will take requests again.
    long now = host.nanoTime();
    long wait = Long.MAX_VALUE;
    for (AiPlan.Target t : order) {
      wait = Math.min(wait, t.provider().keys().usableIn(now));
    }
    retryAfterSeconds =
        wait > 0 && wait != Long.MAX_VALUE ? (wait + 999_999_999L) / 1_000_000_000L : -1;
    fail(AiError.allFailed(modelName, detail));
  }

  // ---------------------------------------------------------------- answers to the client

  private void answer(HttpResponseStatus status, JsonNode json) {
    answerBytes(status, Unpooled.wrappedBuffer(Json.bytes(json)));
  }

  private void answerBytes(HttpResponseStatus status, ByteBuf bytes) {
    answerBytes(status, bytes, HttpHeaderValues.APPLICATION_JSON);
  }

  private void answerBytes(HttpResponseStatus status, ByteBuf bytes, CharSequence contentType) {
    state = State.DONE;
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    head.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.readableBytes());
    if (cacheStatus != null) {
      head.headers().set(ResponseCache.HEADER, cacheStatus);
    }
    if (retryAfterSeconds > 0 && status.code() == 503) {
      head.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
    }
    if (reservation != null) {
      reservation.headers(head.headers());
    }
    reportUsage();
    host.onResponseHead(head);
    host.onResponseContent(new DefaultLastHttpContent(bytes));
  }

  private void fail(AiError error) {
    if (state == State.DONE) {
      return;
    }
    if (error.status().code() >= 500) {
      log.debug("ai request to {} failed: {}", path, error.message());
    }
    if (plan.openAiErrors()) {
      answer(error.status(), error.json());
    } else {
      answerBytes(
          error.status(),
          Unpooled.wrappedBuffer(Json.bytes(error.problem(path, host.requestId()))),
          "application/problem+json");
    }
  }

  /** Writes one event of a streamed answer, the head before the first; flushed at once. */
  private void emit(String data) {
    if (state == State.CALLING) {
      state = State.STREAMING;
      firstEventMillis = (host.nanoTime() - startNanos) / 1e6;
      HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
      head.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
      if (cacheStatus != null) {
        head.headers().set(ResponseCache.HEADER, cacheStatus);
      }
      if (reservation != null) {
        reservation.headers(head.headers());
      }
      host.onResponseHead(head);
    }
    ByteBuf buf = host.alloc().buffer(data.length() + 8);
    buf.writeCharSequence("data: ", StandardCharsets.US_ASCII);
    buf.writeCharSequence(data, StandardCharsets.UTF_8);
    buf.writeCharSequence("\n\n", StandardCharsets.US_ASCII);
    host.onResponseContent(new DefaultHttpContent(buf));
    host.onResponseReadComplete();
  }

  /** Ends a streamed answer: after an error event when {@code error} is set. */
  private void endStream(@Nullable AiError error) {
    if (state != State.STREAMING) {
      return;
    }
    if (error != null) {
      log.debug("ai stream of {} cut: {}", path, error.message());
      emit(Json.text(error.json()));
    }
    state = State.DONE;
    reportUsage();
    host.onResponseContent(LastHttpContent.EMPTY_LAST_CONTENT);
  }

  private void reportUsage() {
    if (masked.total() > 0 || cacheStatus != null) {
      host.set(AiRequestChecks.KEY, new AiRequestChecks(masked.emails, masked.cards, cacheStatus));
    }
    if (model == null || reported) {
      return;
    }
    reported = true;
    AiPlan.Target t = answered;
    Usage u = usage;
    boolean estimated = false;
    if (t != null) {
      if (operation == Operation.EMBEDDINGS && u.promptTokens() >= 0 && u.completionTokens() < 0) {
        u = new Usage(u.promptTokens(), 0, u.promptTokens());
      }
      if (u.promptTokens() < 0 || u.completionTokens() < 0) {
        estimated = true;
        long answer = counted != null ? counted.answerTokens() : Math.max(0, answerTokens);
        long prompt = u.promptTokens() >= 0 ? u.promptTokens() : promptTokens();
        long completion = u.completionTokens() >= 0 ? u.completionTokens() : answer;
        u = new Usage(prompt, completion, prompt + completion);
      }
    }
    if (reservation != null) {
      reservation.settle(t == null ? 0 : u.totalTokens());
    }
    double cost = t == null ? -1 : plan.prices().cost(t.provider().name(), t.model(), u);
    host.onUsage(
        new AiUsage(
            model.name(),
            t == null ? null : t.provider().name(),
            t == null ? null : t.model(),
            stream,
            u,
            firstEventMillis,
            attempts,
            estimated,
            cost,
            (host.nanoTime() - startNanos) / 1e6));
  }

  // ---------------------------------------------------------------- the exchange's side

  /** The client cannot take more: stop reading the provider. */
  public void pauseResponse() {
    if (attempt != null && attempt.call != null) {
      attempt.call.pauseResponse();
    }
  }

  public void resumeResponse() {
    if (attempt != null && attempt.call != null) {
      attempt.call.resumeResponse();
    }
  }

  /**
   * The exchange ended (the client left, or the answer is out): cancels the call, frees buffers.
   */
  public void abort() {
    if (state == State.STREAMING || state == State.CALLING) {
      // The client left mid-call: what was streamed so far is what it used.
      if (counted != null) {
        usage = counted.usage();
      }
      reportUsage();
    }
    state = State.DONE;
    releaseBody();
    Attempt a = attempt;
    attempt = null;
    if (a != null) {
      a.release();
      if (a.call != null) {
        a.call.abort();
      }
    }
  }

  private void releaseBody() {
    if (body != null) {
      body.release();
      body = null;
    }
  }

  // ---------------------------------------------------------------- one provider call

  /** One call to one target with one key. */
  private final class Attempt implements UpstreamCall.Receiver {
    final AiPlan.Target target;
    final int slot;
    @Nullable UpstreamCall call;
    int status;
    long retryAfterNanos = -1;
    @Nullable CompositeByteBuf buffered;
    @Nullable SseParser parser;
    @Nullable StreamTranslator translator;
    final List<SseEvent> events = new ArrayList<>(4);
    final List<String> out = new ArrayList<>(4);

    Attempt(AiPlan.Target target, int slot) {
      this.target = target;
      this.slot = slot;
    }

    String provider() {
      return target.provider().name();
    }

    void release() {
      if (buffered != null) {
        buffered.release();
        buffered = null;
      }
    }

    private boolean current() {
      return attempt == this && state != State.DONE;
    }

    @Override
    public void prepareHead(HttpRequest head, Endpoint endpoint, int n) {
      String hostHeader = target.provider().service().hostHeader();
      head.headers()
          .set(HttpHeaderNames.HOST, hostHeader != null ? hostHeader : endpoint.authority());
    }

    @Override
    public void onResponseHead(HttpResponse head) {
      if (!current()) {
        return;
      }
      status = head.status().code();
      retryAfterNanos = RetryAfter.nanos(head.headers().get(HttpHeaderNames.RETRY_AFTER));
      String type = head.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
      if (status / 100 == 2
          && stream
          && type.toLowerCase(java.util.Locale.ROOT).startsWith("text/event-stream")) {
        parser = new SseParser();
        counted =
            new CountedStream(
                target.provider().adapter().stream(target.model()),
                TokenCounter.encoding(target.model()),
                usageChunk);
        translator = counted;
        answered = target;
      }
    }

    @Override
    public void onResponseContent(HttpContent content) {
      if (!current()) {
        content.release();
        return;
      }
      boolean last = content instanceof LastHttpContent;
      if (parser != null) {
        try {
          parser.feed(content.content(), events);
          if (last) {
            parser.end(events);
          }
        } catch (SseParser.Malformed e) {
          content.release();
          streamFailed(AiError.badProvider(provider(), String.valueOf(e.getMessage())), false);
          return;
        }
        content.release();
        if (!relayEvents()) {
          return;
        }
        if (last) {
          StreamTranslator tr = Objects.requireNonNull(translator);
          boolean complete = tr.onEnd(out);
          flushOut();
          usage = tr.usage();
          if (complete) {
            endStream(null);
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
          Objects.requireNonNull(call).abort();
          fail(AiError.badProvider(provider(), "answered more than " + cap + " bytes"));
          return;
        }
      } else {
        if (chunk.isReadable()) {
          if (buffered == null) {
            buffered = host.alloc().compositeBuffer();
          }
          buffered.addComponent(true, chunk.retain());
        }
        content.release();
      }
      if (last) {
        whole();
      }
    }

    /** Translates and writes the parsed events; false when the stream ended with them. */
    private boolean relayEvents() {
      try {
        for (SseEvent e : events) {
          Objects.requireNonNull(translator).onEvent(e, out);
        }
      } catch (ProviderAdapter.InvalidAnswer e) {
        events.clear();
        out.clear();
        streamFailed(AiError.badProvider(provider(), String.valueOf(e.getMessage())), false);
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
                    + String.valueOf(e.getMessage())),
            true);
        return false;
      }
      events.clear();
      flushOut();
      return state != State.DONE;
    }

    private void flushOut() {
      for (String data : out) {
        if (state == State.DONE) {
          break;
        }
        emit(data);
      }
      out.clear();
    }

    /**
     * A stream failed: before the client got a byte, a {@code retriable} failure moves to the next
     * target and anything else is answered; afterwards the client's stream ends with the error.
     */
    private void streamFailed(AiError error, boolean retriable) {
      if (state == State.STREAMING) {
        if (call != null) {
          call.abort();
        }
        usage = translator == null ? usage : translator.usage();
        endStream(error);
        return;
      }
      if (retriable) {
        if (call != null) {
          call.abort();
        }
        retry(this, error.message(), false);
        return;
      }
      if (call != null) {
        call.abort();
      }
      fail(error);
    }

    /** The whole body of a non-streamed answer or of an error arrived. */
    private void whole() {
      CompositeByteBuf b = buffered;
      buffered = null;
      ByteBuf bytes = b == null ? Unpooled.EMPTY_BUFFER : b;
      long now = host.nanoTime();
      KeyRing keys = target.provider().keys();
      if (status == 401 || status == 403) {
        bytes.release();
        keys.coolDown(slot, now, -1);
        log.warn(
            "ai provider {} refused key {} ({}); it cools down", provider(), keyName(), status);
        retry(this, "refused the key (" + status + ")", true);
        return;
      }
      if (status == 429) {
        bytes.release();
        keys.coolDown(slot, now, retryAfterNanos);
        retry(this, "rate limited (429)", true);
        return;
      }
      if (status >= 500) {
        bytes.release();
        retry(this, "answered " + status, false);
        return;
      }
      JsonNode json;
      try (ByteBufInputStream in = new ByteBufInputStream(bytes.retainedDuplicate(), true)) {
        json = bytes.isReadable() ? Json.MAPPER.readTree((java.io.InputStream) in) : null;
      } catch (IOException e) {
        json = null;
      }
      ProviderAdapter adapter = target.provider().adapter();
      if (status / 100 != 2) {
        bytes.release();
        String message = adapter.errorMessage(json);
        fail(AiError.refused(status, provider(), message == null ? "status " + status : message));
        return;
      }
      if (json == null) {
        bytes.release();
        fail(AiError.badProvider(provider(), "answered a body that is not JSON"));
        return;
      }
      ObjectNode translated;
      try {
        translated =
            operation == Operation.CHAT
                ? adapter.chatAnswer(json, target.model())
                : adapter.embeddingsAnswer(json, target.model());
      } catch (ProviderAdapter.InvalidAnswer e) {
        bytes.release();
        fail(AiError.badProvider(provider(), String.valueOf(e.getMessage())));
        return;
      }
      answered = target;
      usage = Usage.ofOpenAi(translated.get("usage"));
      if (operation == Operation.CHAT && usage.completionTokens() < 0) {
        answerTokens = TokenCounter.chatAnswer(TokenCounter.encoding(target.model()), translated);
      }
      attempt = null;
      if (translated != json) {
        bytes.release();
        bytes = Unpooled.wrappedBuffer(Json.bytes(translated));
      }
      deliver(bytes, true);
    }

    private String keyName() {
      List<io.portico.config.AiConfig.Key> keys = target.provider().config().keys();
      return keys.isEmpty() ? "(none)" : keys.get(slot).reference();
    }

    @Override
    public void onResponseReadComplete() {}

    @Override
    public void onRequestFlowChanged(boolean accepting) {}

    @Override
    public void onFailed(CallFailure reason, String detail) {
      if (!current()) {
        return;
      }
      log.debug("ai provider {}: {} ({})", provider(), reason, detail);
      switch (reason) {
        case RESPONSE_TIMEOUT, IDLE_TIMEOUT -> {
          if (state == State.STREAMING) {
            streamFailed(
                new AiError(
                    HttpResponseStatus.GATEWAY_TIMEOUT,
                    AiError.SERVER_ERROR,
                    null,
                    "timeout",
                    "Provider " + provider() + " went silent mid-stream."),
                false);
          } else {
            timeouts++;
            retry(this, "timed out", false);
          }
        }
        case PROTOCOL_ERROR ->
            streamFailed(AiError.badProvider(provider(), "answered malformed HTTP"), false);
        case RESET_AFTER_RESPONSE ->
            streamFailed(AiError.badProvider(provider(), "closed the connection mid-answer"), true);
        case RESET_BEFORE_RESPONSE -> {
          if (!resetRetried) {
            // Most often a pooled connection the provider had just closed: once, the same target.
            resetRetried = true;
            again(this);
          } else {
            retry(this, describe(reason), false);
          }
        }
        default -> retry(this, describe(reason), false);
      }
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
      default -> reason.name().toLowerCase(java.util.Locale.ROOT);
    };
  }
}
