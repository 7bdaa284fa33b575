package io.portico.upstream;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.portico.config.TimeoutsConfig;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One call to an upstream service: picks an endpoint, leases a connection from the event loop's
 * pool, writes the request head and body, retries when that is provably safe, enforces the upstream
 * timeouts and relays the response to its {@link Receiver}.
 *
 * <pre>
 *   start() ─▶ ACQUIRING ─▶ SENT ─────────────▶ RECEIVING ─────────────▶ DONE
 *   (pick,      (pool lease  (head written;       (response head in;       (last chunk: the
 *    attempt)    or connect)  body streams in      body chunks relayed)      connection goes back
 *        ▲           │        with send())              │                     to its pool)
 *        └─ retry ◀──┴── connect failed, or a reused    └─ 101 to an upgrade ─▶ UPGRADED
 *                        connection closed unanswered       (the caller takes the connection)
 * </pre>
 *
 * <p>A call is independent of any client connection: an exchange makes one per upstream request,
 * and anything else that needs an upstream on the same event loop (aggregation, mirroring, health
 * probes, provider fallback) can make its own, sharing the loop's pools.
 *
 * <p>Retries, always within the service's {@link RetryBudget} and retry count: a failed connect
 * (nothing was sent) goes to another endpoint when there is one; a reused pooled connection that
 * closes before any response byte is retried only for a complete, body-less, idempotent request; an
 * HTTP/2 stream the upstream declares unprocessed ({@link UnprocessedException}: above a {@code
 * GOAWAY}'s last stream id, refused) is resent whatever the method, up to {@link
 * CallAttempts#MAX_UNPROCESSED_RETRIES} times, outside the retry count and budget (nothing was
 * processed), when its body so far is still held in the call's {@link ReplayBuffer}.
 *
 * <p>The request side (queued until a lease, a body-less request as one message, an HTTP/2 head
 * held for its end, the replay buffer) is {@link CallRequest}, the layer under the call; the
 * attempts' accounting (the endpoint picked, the gate's counts, the retry decision, what the hooks
 * and the balancer learn, the times of each step) is {@link CallAttempts}, the layer above it.
 *
 * <p>Timeouts: {@code connect} bounds getting a connection (connecting, or waiting for one in the
 * pool); {@code response} runs from the request being completely sent to the response head; {@code
 * idle} bounds silence between response reads while the caller is reading. Silence in the request
 * body is the caller's to bound (it knows its client). Deadlines live on the leased connection's
 * timer, so a call schedules no task of its own unless it has to wait for a connection.
 *
 * <p>Buffers: request content passed to {@link #send} is owned by the call until written upstream
 * (or released when the call ends first); response content passes to the receiver, which must
 * release or forward it.
 *
 * <p>Circuit breaker: {@link #start} asks the service's {@link CallGate} first (a refusal fails the
 * call at once with {@code CIRCUIT_OPEN} or {@code OVERLOADED}); an admitted call counts as in
 * flight until it ends, as waiting while it waits for a connection, and tells the gate how it
 * ended.
 *
 * <p>Confined to the event loop of its pools; every method must be called there.
 */
public final class UpstreamCall extends CallAttempts implements UpstreamListener, AcquireCallback {

  /** Receives what happens to a call; called on the call's event loop. */
  public interface Receiver {

    /**
     * The request head is about to be written to {@code endpoint} for attempt {@code attempt} (from
     * 1): set what depends on the endpoint, such as {@code Host}.
     */
    void prepareHead(HttpRequest head, Endpoint endpoint, int attempt);

    /** The response head (a {@code 101} when the call was made for an upgrade). */
    void onResponseHead(HttpResponse head);

    /** A piece of the response body; a {@link LastHttpContent} ends it. Owned by the receiver. */
    void onResponseContent(HttpContent content);

    /** The upstream's read burst ended: flush what was written on. */
    void onResponseReadComplete();

    /**
     * Whether the call takes request content without queueing it now: false while no connection is
     * leased or while it is not writable. A caller streaming a body pauses its source then.
     */
    void onRequestFlowChanged(boolean accepting);

    /** The call failed; nothing more is delivered. */
    void onFailed(CallFailure failure, String detail);
  }

  private enum State {
    NEW,
    ACQUIRING,
    SENT,
    RECEIVING,
    UPGRADED,
    DONE
  }

  private TimeoutsConfig timeouts;
  private boolean upgrade;
  private final Receiver receiver;

  private State state = State.NEW;
  private boolean keepAlive;
  private boolean responsePaused;
  private @Nullable UpstreamLease connection;

  /**
   * Whether the call ended with its response's last piece, on an HTTP/1.1 connection that it gave
   * back ({@link #reusable}).
   */
  private boolean answered;

  /**
   * @param head the request head as it goes upstream (the same object is written by every attempt;
   *     {@link Receiver#prepareHead} may adjust it per endpoint)
   * @param upgrade whether the request asks for a protocol switch (a {@code 101} is then delivered
   *     and the connection handed over with {@link #takeUpgradedConnection})
   */
  public UpstreamCall(
      UpstreamPools pools,
      UpstreamService service,
      TimeoutsConfig timeouts,
      HttpRequest head,
      boolean upgrade,
      UpstreamHooks hooks,
      Receiver receiver) {
    super(pools, service, head, hooks);
    this.timeouts = timeouts;
    this.upgrade = upgrade;
    this.receiver = receiver;
  }

  /**
   * Whether the receiver may make its next call with this object ({@link #reuse}): the call ended
   * with its response's last piece over HTTP/1.1, so nothing holds it any more. Its connection went
   * back to the pool or was closed, and dropped the call as its listener when it did ({@link
   * UpstreamConnection#release}); every attempt's acquire was answered (a connect completes or
   * fails once, and a waiter left the pool's queue when it was answered) and the connect timeout
   * was cancelled when the last one was; the gate learnt the call's end. A call that failed, was
   * aborted or upgraded, or leased an HTTP/2 stream (whose connection may still report to it) is
   * never reused.
   */
  public boolean reusable() {
    return answered
        && state == State.DONE
        && connection == null
        && acquireTimeout == null
        && !waiting
        && !admitted;
  }

  /**
   * The same call, set for the receiver's next request as the constructor sets a new one; only when
   * {@link #reusable}. The pools and the receiver stay: the receiver reuses a call only on the
   * event loop it was made on, for its own next request.
   */
  public UpstreamCall reuse(
      UpstreamService service,
      TimeoutsConfig timeouts,
      HttpRequest head,
      boolean upgrade,
      UpstreamHooks hooks) {
    if (!reusable()) {
      throw new IllegalStateException("the call has not ended with its response");
    }
    resetAttempts(service, head, hooks);
    this.timeouts = timeouts;
    this.upgrade = upgrade;
    state = State.NEW;
    keepAlive = false;
    responsePaused = false;
    answered = false;
    return this;
  }

  // ---------------------------------------------------------------- the caller's side

  /** Starts the first attempt. Request content may be sent before and after. */
  public void start() {
    CallFailure refused = service.gate().admit();
    if (refused != null) {
      state = State.DONE;
      releasePending();
      receiver.onFailed(
          refused,
          refused == CallFailure.CIRCUIT_OPEN
              ? "the circuit breaker of service " + service.name() + " is open"
              : "service " + service.name() + " is at its circuit breaker's limits");
      return;
    }
    admitted = true;
    service.retryBudget().onRequest();
    attempt();
  }

  /** Stops reading the response (the caller's client cannot take more); no idle deadline runs. */
  public void pauseResponse() {
    if (connection != null && !responsePaused) {
      responsePaused = true;
      connection.readResponse(false);
      connection.disarmDeadline();
    }
  }

  /** Reads the response again after {@link #pauseResponse}. */
  public void resumeResponse() {
    if (connection != null && responsePaused) {
      responsePaused = false;
      connection.readResponse(true);
      if (state == State.RECEIVING) {
        connection.armDeadline(connection.nanoTime() + timeouts.idle().toNanos());
      }
    }
  }

  /**
   * Ends the call without telling the receiver (its client went away, or it failed for a reason of
   * its own): the connection is closed, a waiting lease withdrawn, queued content released.
   */
  public void abort() {
    if (state == State.DONE) {
      return;
    }
    end(CallFailure.CANCELLED);
  }

  /**
   * After a {@code 101}: the connection now belongs to the caller, which relays raw bytes and
   * closes it; the call is done.
   */
  public UpstreamConnection takeUpgradedConnection() {
    if (state != State.UPGRADED || connection == null) {
      throw new IllegalStateException("no upgraded connection to take");
    }
    UpstreamConnection c = (UpstreamConnection) connection;
    connection = null;
    state = State.DONE;
    callEnded(null);
    return c;
  }

  public boolean isDone() {
    return state == State.DONE;
  }

  // ---------------------------------------------------------------- attempts

  private void attempt() {
    Endpoint picked = beginAttempt();
    if (picked == null) {
      fail(CallFailure.NO_ENDPOINT, "service " + service.name() + " has no available endpoint");
      return;
    }
    state = State.ACQUIRING;
    pools.leasePool(picked, service).acquire(service.pool(), timeouts.connect(), this, this);
    if (state == State.ACQUIRING && !waiting) {
      if (!service.gate().startWaiting()) {
        fail(
            CallFailure.OVERLOADED,
            "too many requests of service " + service.name() + " wait for a connection");
        return;
      }
      waiting = true;
    }
    if (state == State.ACQUIRING && acquireTimeout == null) {
      // Connecting or waiting for a pooled connection: bound the whole wait by the connect timeout.
      acquireTimeout =
          pools
              .loop()
              .schedule(this::onAcquireTimeout, timeouts.connect().toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void onAcquired(UpstreamLease c) {
    if (state != State.ACQUIRING) {
      // A connect that completed after the call ended: a fresh connection, good for the pool.
      c.release(true);
      return;
    }
    stopWaiting();
    connection = c;
    state = State.SENT;
    connectedNanos = nanoTime();
    Endpoint picked = Objects.requireNonNull(endpoint, "endpoint");
    receiver.prepareHead(head, picked, attempts);
    hooks.beforeRequestHead(head, picked);
    writeRequest(c);
  }

  @Override
  public void onAcquireFailed(AcquireFailure reason, @Nullable Throwable cause) {
    if (state != State.ACQUIRING) {
      return;
    }
    stopWaiting();
    if (reason == AcquireFailure.OVERLOADED) {
      fail(
          CallFailure.OVERLOADED,
          "service " + service.name() + " is at its circuit breaker's connection limit");
      return;
    }
    if (reason == AcquireFailure.POOL_EXHAUSTED) {
      fail(
          CallFailure.POOL_EXHAUSTED,
          "too many requests wait for a connection to " + endpoint + " on this event loop");
      return;
    }
    CallFailure failure = CallFailure.ofConnect(reason);
    if (canRetry()) {
      // Nothing was sent: always safe to try another endpoint.
      attemptEnded(failure);
      failedEndpoint = endpoint;
      attempt();
      return;
    }
    fail(failure, CallFailure.connectDetail(failure, endpoint, cause));
  }

  private void onAcquireTimeout() {
    acquireTimeout = null;
    if (state == State.ACQUIRING) {
      fail(
          CallFailure.CONNECT_TIMEOUT,
          "no connection to "
              + endpoint
              + " within "
              + timeouts.connect().toMillis()
              + " ms (connecting or waiting in the pool)");
    }
  }

  @Override
  void onRequestSent() {
    long now = nanoTime();
    requestSentNanos = now;
    if (state == State.SENT) {
      Objects.requireNonNull(connection).armDeadline(now + timeouts.response().toNanos());
    }
  }

  // ---------------------------------------------------------------- the upstream's side

  @Override
  public void onResponseHead(HttpResponse response) {
    if (state != State.SENT) {
      return;
    }
    String malformed = ResponseHeadCheck.refusal(response, upgrade);
    if (malformed != null) {
      fail(CallFailure.PROTOCOL_ERROR, endpoint + " sent " + malformed);
      return;
    }
    int code = response.status().code();
    if (code >= 200 || (code == 101 && upgrade)) {
      // Answered: the stream was processed, nothing will be resent.
      releaseReplay();
      replayLost = true;
    }
    if (code == 101 && upgrade) {
      state = State.UPGRADED;
      status = code;
      responseHeadNanos = nanoTime();
      Objects.requireNonNull(connection).disarmDeadline();
      attemptEnded(null);
      receiver.onResponseHead(response);
      return;
    }
    if (code >= 100 && code < 200) {
      // 100 Continue is the caller's to answer; other interim responses are dropped.
      return;
    }
    long now = nanoTime();
    state = State.RECEIVING;
    status = code;
    responseHeadNanos = now;
    keepAlive = HttpUtil.isKeepAlive(response);
    Objects.requireNonNull(connection).armDeadline(now + timeouts.idle().toNanos());
    receiver.onResponseHead(response);
  }

  @Override
  public void onResponseContent(HttpContent content) {
    if (state != State.RECEIVING) {
      content.release();
      return;
    }
    if (content.decoderResult().isFailure()) {
      content.release();
      fail(CallFailure.PROTOCOL_ERROR, endpoint + " sent a malformed response body");
      return;
    }
    if (content instanceof LastHttpContent) {
      UpstreamLease c = Objects.requireNonNull(connection);
      connection = null;
      state = State.DONE;
      answered = c instanceof UpstreamConnection;
      c.release(requestComplete && keepAlive);
      attemptEnded(null);
      callEnded(null);
      receiver.onResponseContent(content);
      return;
    }
    if (!responsePaused) {
      UpstreamLease c = Objects.requireNonNull(connection);
      c.armDeadline(c.nanoTime() + timeouts.idle().toNanos());
    }
    receiver.onResponseContent(content);
  }

  @Override
  public void onUpgradedData(io.netty.buffer.ByteBuf data) {
    // Only before the caller took the upgraded connection: nothing to relay to yet.
    data.release();
  }

  @Override
  public void onReadComplete() {
    if (state == State.RECEIVING || state == State.DONE) {
      receiver.onResponseReadComplete();
    }
  }

  @Override
  public void onUpstreamWritabilityChanged(boolean writable) {
    if (connection != null && !requestComplete) {
      receiver.onRequestFlowChanged(writable);
    }
  }

  @Override
  public void onUpstreamClosed(@Nullable Throwable cause) {
    if (state != State.SENT && state != State.RECEIVING && state != State.UPGRADED) {
      return;
    }
    UpstreamLease lost = connection;
    connection = null; // the connection already left its pool
    headHeld = false;
    if (state == State.SENT) {
      if (mayResendAfterClose(lost, cause)) {
        attemptEnded(CallFailure.RESET_BEFORE_RESPONSE);
        failedEndpoint = null;
        attempt();
        return;
      }
      fail(
          CallFailure.RESET_BEFORE_RESPONSE, endpoint + " closed the connection before responding");
    } else {
      fail(CallFailure.RESET_AFTER_RESPONSE, endpoint + " closed the connection mid-response");
    }
  }

  @Override
  public void onDeadline() {
    if (state == State.SENT) {
      fail(
          CallFailure.RESPONSE_TIMEOUT,
          endpoint + " did not answer within " + timeouts.response().toMillis() + " ms");
    } else if (state == State.RECEIVING) {
      fail(
          CallFailure.IDLE_TIMEOUT,
          endpoint + " sent nothing for " + timeouts.idle().toMillis() + " ms mid-response");
    }
  }

  // ---------------------------------------------------------------- the end

  private void fail(CallFailure failure, String detail) {
    if (state == State.DONE) {
      return;
    }
    end(failure);
    receiver.onFailed(failure, detail);
  }

  private void end(CallFailure failure) {
    boolean acquiring = state == State.ACQUIRING;
    boolean attemptRunning = state != State.NEW && state != State.UPGRADED;
    state = State.DONE;
    stopWaiting();
    if (connection != null) {
      UpstreamLease c = connection;
      connection = null;
      c.release(false);
    } else if (acquiring && endpoint != null) {
      pools.leasePool(endpoint, service).cancel(this);
    }
    releasePending();
    releaseReplay();
    if (attemptRunning && endpoint != null) {
      attemptEnded(failure);
    }
    callEnded(failure);
  }

  // ---------------------------------------------------------------- what the request side asks

  @Override
  boolean takesContent() {
    return state != State.DONE && state != State.UPGRADED;
  }

  @Override
  @Nullable UpstreamLease lease() {
    return connection;
  }

  @Override
  void requestFlow(boolean accepting) {
    receiver.onRequestFlowChanged(accepting);
  }
}
