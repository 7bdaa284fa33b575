package io.portico.upstream;

import io.netty.handler.codec.http.HttpRequest;
import org.jspecify.annotations.Nullable;

/**
 * Hooks around each attempt of an {@link UpstreamCall}, for what observes or decorates upstream
 * traffic (tracing spans and their propagation headers, upstream metrics). Called on the call's
 * event loop, on the data path: implementations must be cheap and must not block or throw. A hook
 * sees every attempt, so a retried request shows as several attempts.
 *
 * <pre>
 *   onAttemptStart ─▶ (connection leased) ─▶ beforeRequestHead ─▶ head written ─▶ ... ─▶ onAttemptEnd
 *        └──────────── (no connection: connect failed, timed out, pool full) ──────────▶ onAttemptEnd
 * </pre>
 */
public interface UpstreamHooks {

  /** Hooks that do nothing: the default, and free. */
  UpstreamHooks NONE = new UpstreamHooks() {};

  /** An attempt begins: {@code endpoint} was picked; {@code attempt} counts from 1. */
  default void onAttemptStart(String service, Endpoint endpoint, int attempt) {}

  /**
   * The request head is about to be written to {@code endpoint}: the last moment to add headers
   * (trace context, for instance). The head is the one every attempt of the call writes.
   */
  default void beforeRequestHead(HttpRequest head, Endpoint endpoint) {}

  /**
   * The attempt ended.
   *
   * @param failure why it failed, or null when a complete response was received
   * @param status the response status, or 0 when no response head arrived
   * @param nanos from the attempt's start to its end
   */
  default void onAttemptEnd(
      String service, Endpoint endpoint, @Nullable CallFailure failure, int status, long nanos) {}
}
