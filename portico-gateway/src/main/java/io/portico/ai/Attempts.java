package io.portico.ai;

import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The calls of one request to its model's targets: one {@link ProviderAttempt} at a time, in the
 * request's {@link TargetOrder}. A failed attempt moves to the next key of its target or to the
 * next target; a connection reset before any answer is retried once on the same target (most often
 * a pooled connection the provider had just closed); a target whose provider cannot serve the
 * request is skipped. When no target is left, the order's answer (503, or 504 when every target
 * timed out) goes to the run.
 *
 * <p>Confined to the exchange's event loop. Owns the current attempt: released when it is dropped
 * or {@link #abort}ed, handed to the run when it {@link #answered}.
 */
final class Attempts {

  private final ClientRequest request;
  private final TargetOrder order;
  private final AiRun.Host host;
  private final ProviderAttempt.Listener listener;
  private final Consumer<AiError> exhausted;
  private @Nullable ProviderAttempt current;
  private int started;
  private boolean resetRetried;

  Attempts(
      ClientRequest request,
      AiRun.Host host,
      ProviderAttempt.Listener listener,
      Consumer<AiError> exhausted) {
    this.request = request;
    this.order = new TargetOrder(request.model());
    this.host = host;
    this.listener = listener;
    this.exhausted = exhausted;
  }

  /** Starts the next usable target (or key), or ends with the list exhausted. */
  void next() {
    for (TargetOrder.Pick pick = order.next(host.nanoTime());
        pick != null;
        pick = order.next(host.nanoTime())) {
      if (start(pick)) {
        return;
      }
    }
    exhausted.accept(order.exhausted(host.nanoTime()));
  }

  /**
   * Starts an attempt at {@code pick}; false when its provider cannot serve the request. The
   * attempt is current before its call starts, so that a failure the call reports at once (no
   * endpoint, an open circuit breaker) moves on to the next target instead of being ignored.
   */
  private boolean start(TargetOrder.Pick pick) {
    started++;
    ProviderAttempt a;
    try {
      a =
          ProviderAttempt.prepare(
              pick, request, order, host.pools(), host.hooks(), host.alloc(), listener);
    } catch (ProviderAdapter.Unsupported e) {
      order.skip(pick.target(), String.valueOf(e.getMessage()));
      return false;
    }
    current = a;
    a.begin();
    return true;
  }

  /** Whether {@code a} is the current attempt. */
  boolean current(ProviderAttempt a) {
    return a == current;
  }

  /** Whether an attempt is under way. */
  boolean running() {
    return current != null;
  }

  /** Ends the attempt {@code a} (released) when it is current; false when it is not. */
  private boolean drop(ProviderAttempt a) {
    if (a != current) {
      return false;
    }
    a.release();
    current = null;
    return true;
  }

  /**
   * {@code a} failed for {@code why}: the next key of its target ({@code sameTarget}), or the next.
   */
  void retry(ProviderAttempt a, String why, boolean sameTarget) {
    if (drop(a)) {
      order.failed(a.pick(), why, sameTarget);
      next();
    }
  }

  /** {@code a}'s connection was reset before any answer: once the same target, then the next. */
  void again(ProviderAttempt a) {
    if (resetRetried) {
      retry(a, ProviderAttempt.describeReset(), false);
      return;
    }
    resetRetried = true;
    if (drop(a) && !start(a.pick())) {
      next();
    }
  }

  /** {@code a} timed out: the next target. */
  void timedOut(ProviderAttempt a) {
    order.timedOut();
    retry(a, "timed out", false);
  }

  /** The current attempt answered whole; its answer is the run's now. */
  void answered() {
    current = null;
  }

  void pauseResponse() {
    if (current != null) {
      current.pauseResponse();
    }
  }

  void resumeResponse() {
    if (current != null) {
      current.resumeResponse();
    }
  }

  /** Cancels the current attempt's call and frees what it holds. */
  void abort() {
    ProviderAttempt a = current;
    current = null;
    if (a != null) {
      a.release();
      a.abort();
    }
  }

  /** How many attempts were started. */
  int started() {
    return started;
  }

  /** When a cooling target takes requests again, in seconds, or -1. */
  long retryAfterSeconds() {
    return order.retryAfterSeconds();
  }
}
