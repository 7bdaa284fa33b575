package io.portico.aggregate;

import io.portico.upstream.CallFailure;

/**
 * Why one backend of an aggregate failed: a {@link Cause} from a closed catalogue, the backend's
 * status when it answered, and a detail for clients that names no upstream address.
 *
 * @param status the backend's response status, or 0 when no response head arrived
 */
public record BackendFailure(Cause cause, int status, String detail) {

  /** The closed catalogue of why a backend failed; {@link #code()} is what clients and logs see. */
  public enum Cause {
    /** The aggregate's deadline or the backend's own {@code timeout} passed. */
    TIMEOUT("timeout", true),
    CONNECT_TIMEOUT("upstream_connect_timeout", true),
    RESPONSE_TIMEOUT("upstream_response_timeout", true),
    IDLE_TIMEOUT("upstream_idle_timeout", true),
    /** The backend answered with a status other than 2xx. */
    STATUS("upstream_status", false),
    CONNECT_FAILED("upstream_connect_failed", false),
    /** The TLS handshake with the backend failed (its certificate did not verify). */
    TLS_FAILED("upstream_tls_failed", false),
    NO_ENDPOINT("no_healthy_upstream", false),
    POOL_EXHAUSTED("upstream_pool_exhausted", false),
    /** The service's circuit breaker is open. */
    CIRCUIT_OPEN("circuit_open", false),
    /** The service's circuit breaker is at one of its limits. */
    OVERLOADED("upstream_overloaded", false),
    RESET("upstream_reset", false),
    PROTOCOL_ERROR("upstream_protocol_error", false),
    /** The body is not JSON. */
    MALFORMED_JSON("malformed_json", false),
    /** The body is larger than the aggregate's {@code max-body-size}. */
    BODY_TOO_LARGE("upstream_response_too_large", false),
    /** The JSON is not what the merge rule takes (an array for collection, an object for root). */
    UNEXPECTED_SHAPE("unexpected_shape", false),
    /** A backend named in {@code after} failed, so this one was not called. */
    DEPENDENCY_FAILED("dependency_failed", false),
    /** The backend's request could not be rendered (a templated method that is not a method). */
    REQUEST_INVALID("backend_request_invalid", false);

    private final String code;
    private final boolean timeout;

    Cause(String code, boolean timeout) {
      this.code = code;
      this.timeout = timeout;
    }

    public String code() {
      return code;
    }

    /** Whether the backend ran out of time (a 504 rather than a 502 for the aggregate). */
    public boolean timeout() {
      return timeout;
    }
  }

  /** An upstream call's failure, told without the endpoint's address. */
  static BackendFailure of(CallFailure failure) {
    return switch (failure) {
      case NO_ENDPOINT ->
          new BackendFailure(Cause.NO_ENDPOINT, 0, "The service has no available endpoint.");
      case POOL_EXHAUSTED ->
          new BackendFailure(
              Cause.POOL_EXHAUSTED, 0, "Too many requests are waiting for the service.");
      case CIRCUIT_OPEN ->
          new BackendFailure(Cause.CIRCUIT_OPEN, 0, "The service's circuit breaker is open.");
      case OVERLOADED ->
          new BackendFailure(
              Cause.OVERLOADED, 0, "The service is at its circuit breaker's limits.");
      case CONNECT_FAILED ->
          new BackendFailure(Cause.CONNECT_FAILED, 0, "Could not connect to the service.");
      case TLS_FAILED ->
          new BackendFailure(
              Cause.TLS_FAILED, 0, "The service's TLS certificate could not be verified.");
      case CONNECT_TIMEOUT ->
          new BackendFailure(Cause.CONNECT_TIMEOUT, 0, "Connecting to the service timed out.");
      case RESPONSE_TIMEOUT ->
          new BackendFailure(Cause.RESPONSE_TIMEOUT, 0, "The service did not answer in time.");
      case IDLE_TIMEOUT ->
          new BackendFailure(
              Cause.IDLE_TIMEOUT, 0, "The service stalled while sending the response.");
      case RESET_BEFORE_RESPONSE, RESET_AFTER_RESPONSE, CANCELLED ->
          new BackendFailure(Cause.RESET, 0, "The service closed the connection.");
      case PROTOCOL_ERROR ->
          new BackendFailure(Cause.PROTOCOL_ERROR, 0, "The service sent a malformed response.");
    };
  }
}
