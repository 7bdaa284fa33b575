package io.portico.upstream;

import org.jspecify.annotations.Nullable;

/**
 * How one attempt to an endpoint ended, as reported to {@link EndpointFeedback}: what passive
 * health checks and latency-aware balancing learn from. Constants, so reporting allocates nothing.
 */
public enum AttemptOutcome {
  /** A response head below 500 arrived (4xx included: the endpoint answered). */
  SUCCESS(false),
  /** A 5xx response head arrived. */
  HTTP_5XX(true),
  /** The connection could not be established (refused, unreachable, endpoint removed). */
  CONNECT_FAILED(true),
  /** The TLS handshake failed: the endpoint's certificate did not verify, or no common ground. */
  TLS_FAILED(true),
  /** The connection was not established within the connect timeout. */
  CONNECT_TIMEOUT(true),
  /** The connection closed or was reset before the response was complete. */
  RESET(true),
  /** No response head within the response timeout. */
  RESPONSE_TIMEOUT(true),
  /** The response stalled mid-body past the idle timeout. */
  IDLE_TIMEOUT(true),
  /** The endpoint sent something that is not HTTP/1.1 (a malformed head, bad framing). */
  PROTOCOL_ERROR(true),
  /**
   * The gateway's own pool for the endpoint was full, or the service's breaker refused a
   * connection: says nothing against the endpoint.
   */
  POOL_EXHAUSTED(false),
  /** The client went away or the gateway gave up first: says nothing about the endpoint. */
  CANCELLED(false);

  private final boolean endpointFailure;

  AttemptOutcome(boolean endpointFailure) {
    this.endpointFailure = endpointFailure;
  }

  /** Whether the outcome speaks against the endpoint (what an outlier detector counts). */
  public boolean endpointFailure() {
    return endpointFailure;
  }

  /** The outcome of an attempt that got a response head with {@code status}. */
  public static AttemptOutcome ofStatus(int status) {
    return status >= 500 ? HTTP_5XX : SUCCESS;
  }

  /** The outcome of an attempt that got no connection. */
  public static AttemptOutcome of(AcquireCallback.AcquireFailure failure) {
    return switch (failure) {
      case CONNECT_FAILED -> CONNECT_FAILED;
      case CONNECT_TIMEOUT -> CONNECT_TIMEOUT;
      case TLS_FAILED -> TLS_FAILED;
      case POOL_EXHAUSTED, OVERLOADED -> POOL_EXHAUSTED;
    };
  }

  /**
   * The outcome of an attempt that ended with {@code failure}, or, when null, with a response head
   * of {@code status}.
   */
  static AttemptOutcome of(@Nullable CallFailure failure, int status) {
    if (failure == null) {
      return ofStatus(status);
    }
    return switch (failure) {
      case NO_ENDPOINT, CANCELLED, CIRCUIT_OPEN -> CANCELLED;
      case OVERLOADED -> POOL_EXHAUSTED;
      case POOL_EXHAUSTED -> POOL_EXHAUSTED;
      case CONNECT_FAILED -> CONNECT_FAILED;
      case CONNECT_TIMEOUT -> CONNECT_TIMEOUT;
      case TLS_FAILED -> TLS_FAILED;
      case RESPONSE_TIMEOUT -> RESPONSE_TIMEOUT;
      case IDLE_TIMEOUT -> IDLE_TIMEOUT;
      case RESET_BEFORE_RESPONSE, RESET_AFTER_RESPONSE -> RESET;
      case PROTOCOL_ERROR -> PROTOCOL_ERROR;
    };
  }
}
