package io.portico.upstream;

import org.jspecify.annotations.Nullable;

/**
 * Why an {@link UpstreamCall} failed. The caller maps each to its own catalogue (the proxy's {@code
 * Failure}: a status, an access-log code, a problem type).
 */
public enum CallFailure {
  /** The service's source has no endpoint to send the request to. */
  NO_ENDPOINT,
  /** The event loop's pool for the endpoint is at its connection and waiter limits. */
  POOL_EXHAUSTED,
  /** The connection was refused or failed before anything was sent. */
  CONNECT_FAILED,
  /**
   * The TLS handshake with the endpoint failed: its certificate did not verify, or no common
   * ground.
   */
  TLS_FAILED,
  /** No connection within the connect timeout (connecting or waiting in the pool). */
  CONNECT_TIMEOUT,
  /** No response head within the response timeout, measured from the request being sent. */
  RESPONSE_TIMEOUT,
  /** The response stalled longer than the idle timeout between two reads. */
  IDLE_TIMEOUT,
  /** The upstream closed or reset the connection before the response head. */
  RESET_BEFORE_RESPONSE,
  /** The upstream closed or reset the connection after the response head. */
  RESET_AFTER_RESPONSE,
  /** The upstream's response could not be parsed. */
  PROTOCOL_ERROR,
  /** The service's circuit breaker is open: too many of its recent requests failed. */
  CIRCUIT_OPEN,
  /**
   * The service's circuit breaker refused the request: too many requests in flight, waiting for a
   * connection, or connections open.
   */
  OVERLOADED,
  /** The caller abandoned the call ({@link UpstreamCall#abort}); its receiver is not told. */
  CANCELLED;

  /** The failure of an attempt whose connection failed, timed out or failed its TLS handshake. */
  static CallFailure ofConnect(AcquireCallback.AcquireFailure reason) {
    return switch (reason) {
      case CONNECT_TIMEOUT -> CONNECT_TIMEOUT;
      case TLS_FAILED -> TLS_FAILED;
      default -> CONNECT_FAILED;
    };
  }

  /** What the log says of a connect {@code failure} to {@code endpoint}, with its cause. */
  static String connectDetail(
      CallFailure failure, @Nullable Endpoint endpoint, @Nullable Throwable cause) {
    return (failure == CONNECT_TIMEOUT
            ? "connecting to "
            : failure == TLS_FAILED ? "TLS handshake failed with " : "could not connect to ")
        + endpoint
        + (cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage());
  }
}
