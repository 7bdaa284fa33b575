package io.portico.upstream;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpRequest;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/**
 * The attempts of an {@link UpstreamCall}: the endpoint each one picked (with the request's
 * affinity, away from the endpoint that failed to connect), the call's admission and wait in the
 * service's {@link CallGate}, the retry decision ({@link #canRetry}: the service's retry count and
 * {@link RetryBudget}, resends of unprocessed streams outside both), and what each attempt's end
 * tells the {@link UpstreamHooks}, the service's balancer and the gate; with the times the caller
 * reads (connected, request sent, response head).
 *
 * <p>The layer of {@link UpstreamCall} between its request side ({@link CallRequest}) and its state
 * machine: the same object, so a call allocates nothing for its accounting. Confined to the event
 * loop of the call's pools.
 */
abstract class CallAttempts extends CallRequest {

  /**
   * Most times one call resends a request that an HTTP/2 upstream declared unprocessed (a {@code
   * GOAWAY} below its stream, {@code REFUSED_STREAM}); these resends count against neither the
   * service's retry attempts nor its budget.
   */
  static final int MAX_UNPROCESSED_RETRIES = 2;

  final UpstreamPools pools;
  UpstreamHooks hooks;

  @Nullable Endpoint endpoint;
  @Nullable Endpoint failedEndpoint;
  @Nullable ScheduledFuture<?> acquireTimeout;
  int attempts;

  /** Resends of unprocessed streams so far, at most {@link #MAX_UNPROCESSED_RETRIES}. */
  byte unprocessedRetries;

  boolean admitted;
  boolean waiting;
  long affinity;
  int status;
  long attemptStartNanos;
  long connectedNanos;
  long requestSentNanos;
  long responseHeadNanos;

  CallAttempts(
      UpstreamPools pools, UpstreamService service, HttpRequest head, UpstreamHooks hooks) {
    super(service, head);
    this.pools = pools;
    this.hooks = hooks;
  }

  /** Sets the attempts' accounting for another request, as the constructor does. */
  void resetAttempts(UpstreamService service, HttpRequest head, UpstreamHooks hooks) {
    resetRequest(service, head);
    this.hooks = hooks;
    endpoint = null;
    failedEndpoint = null;
    acquireTimeout = null;
    attempts = 0;
    unprocessedRetries = 0;
    admitted = false;
    waiting = false;
    affinity = 0;
    status = 0;
    attemptStartNanos = 0;
    connectedNanos = 0;
    requestSentNanos = 0;
    responseHeadNanos = 0;
  }

  /**
   * Sets the request's hash for a hashing balancer ({@link UpstreamService#hashKey}): every attempt
   * picks with it. Call before {@link #start}.
   */
  public void affinity(long hash) {
    this.affinity = hash;
  }

  /** The service's circuit breaker (what {@link AcquireCallback#gate} gives the pool). */
  public CallGate gate() {
    return service.gate();
  }

  /** The endpoint of the current or last attempt, or null before the first pick. */
  public @Nullable Endpoint endpoint() {
    return endpoint;
  }

  public int attempts() {
    return attempts;
  }

  /** When the last attempt got its connection, or 0. */
  public long connectedNanos() {
    return connectedNanos;
  }

  /** When the request was completely sent, or 0. */
  public long requestSentNanos() {
    return requestSentNanos;
  }

  /** When the response head arrived, or 0. */
  public long responseHeadNanos() {
    return responseHeadNanos;
  }

  /**
   * Picks the next attempt's endpoint (away from one that failed to connect, with the request's
   * affinity) and tells the hooks the attempt starts; null when the service has none available.
   */
  @Nullable Endpoint beginAttempt() {
    Endpoint picked = service.pick(failedEndpoint, affinity);
    endpoint = picked;
    if (picked == null) {
      return null;
    }
    attempts++;
    attemptStartNanos = nanoTime();
    hooks.onAttemptStart(service.name(), picked, attempts);
    return picked;
  }

  /**
   * Whether a request whose connection closed before any response byte is sent again: an HTTP/2
   * stream the upstream declared unprocessed ({@code GOAWAY}, {@code REFUSED_STREAM}) whose body so
   * far is still held, whatever the method and outside the retry count and budget (counted here
   * against {@link #MAX_UNPROCESSED_RETRIES}); or a request on a reused pooled connection the
   * upstream had closed, which never reached it, or on a connection the gateway closed for the
   * upstream's violation ({@link UpstreamViolationException}), when a resend is safe and allowed.
   */
  boolean mayResendAfterClose(@Nullable UpstreamLease lost, @Nullable Throwable cause) {
    if (cause instanceof UnprocessedException
        && (!bodySent || !replayLost)
        && unprocessedRetries < MAX_UNPROCESSED_RETRIES) {
      // What the body sent so far is replayed from the replay buffer; the rest streams on.
      unprocessedRetries++;
      return true;
    }
    return lost != null
        && (lost.reused() || cause instanceof UpstreamViolationException)
        && retrySafeAfterSend()
        && canRetry();
  }

  /**
   * Whether another attempt after a failure is allowed: resends of unprocessed streams do not count
   * against the retry attempts (nor the budget).
   */
  boolean canRetry() {
    return attempts - unprocessedRetries <= service.retry().attempts()
        && service.retryBudget().tryRetry();
  }

  /** The wait for a connection is over: the gate's count of waiting calls and its timeout. */
  void stopWaiting() {
    if (waiting) {
      waiting = false;
      service.gate().stopWaiting();
    }
    if (acquireTimeout != null) {
      acquireTimeout.cancel(false);
      acquireTimeout = null;
    }
  }

  /** The call ended (or its connection was handed over): the breaker learns how, once. */
  void callEnded(@Nullable CallFailure failure) {
    if (admitted) {
      admitted = false;
      service.gate().onCallEnd(failure, status);
    }
  }

  /** The attempt ended: the hooks and the service's balancer (and source) learn how. */
  void attemptEnded(@Nullable CallFailure failure) {
    Endpoint ended = Objects.requireNonNull(endpoint, "endpoint");
    long nanos = nanoTime() - attemptStartNanos;
    hooks.onAttemptEnd(service.name(), ended, failure, status, nanos);
    service.report(ended, AttemptOutcome.of(failure, status), status, nanos);
  }

  long nanoTime() {
    EventLoop loop = pools.loop();
    return loop.ticker().nanoTime();
  }
}
