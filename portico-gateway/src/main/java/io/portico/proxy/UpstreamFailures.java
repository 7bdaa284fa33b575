package io.portico.proxy;

import io.portico.upstream.CallFailure;

/**
 * How an upstream call's failure is told: one {@link Failure} of the catalogue, and a detail for
 * the client that names no upstream address (the address, with the call's own detail, goes to the
 * debug log and the access log's upstream field, never to clients).
 */
final class UpstreamFailures {

  private UpstreamFailures() {}

  static Failure failure(CallFailure reason) {
    return switch (reason) {
      case NO_ENDPOINT -> Failure.NO_HEALTHY_UPSTREAM;
      case POOL_EXHAUSTED -> Failure.UPSTREAM_POOL_EXHAUSTED;
      case CIRCUIT_OPEN -> Failure.CIRCUIT_OPEN;
      case OVERLOADED -> Failure.UPSTREAM_OVERLOADED;
      case CONNECT_FAILED -> Failure.UPSTREAM_CONNECT_FAILED;
      case CONNECT_TIMEOUT -> Failure.UPSTREAM_CONNECT_TIMEOUT;
      case TLS_FAILED -> Failure.UPSTREAM_TLS_FAILED;
      case RESPONSE_TIMEOUT -> Failure.UPSTREAM_RESPONSE_TIMEOUT;
      case IDLE_TIMEOUT -> Failure.UPSTREAM_IDLE_TIMEOUT;
      case RESET_BEFORE_RESPONSE -> Failure.UPSTREAM_RESET_BEFORE_RESPONSE;
      case RESET_AFTER_RESPONSE -> Failure.UPSTREAM_RESET_AFTER_RESPONSE;
      case PROTOCOL_ERROR -> Failure.UPSTREAM_PROTOCOL_ERROR;
      case CANCELLED -> Failure.INTERNAL_ERROR;
    };
  }

  static String clientDetail(CallFailure reason) {
    return switch (reason) {
      case NO_ENDPOINT -> "The upstream service has no available endpoint.";
      case POOL_EXHAUSTED -> "Too many requests are waiting for the upstream service.";
      case CIRCUIT_OPEN -> "The upstream service's circuit breaker is open.";
      case OVERLOADED -> "The upstream service is at its circuit breaker's limits.";
      case CONNECT_FAILED -> "Could not connect to the upstream service.";
      case CONNECT_TIMEOUT -> "Connecting to the upstream service timed out.";
      case TLS_FAILED -> "The upstream service's TLS certificate could not be verified.";
      case RESPONSE_TIMEOUT -> "The upstream service did not answer in time.";
      case IDLE_TIMEOUT -> "The upstream service stalled while sending the response.";
      case RESET_BEFORE_RESPONSE -> "The upstream service closed the connection before answering.";
      case RESET_AFTER_RESPONSE -> "The upstream service closed the connection mid-response.";
      case PROTOCOL_ERROR -> "The upstream service sent a malformed response.";
      case CANCELLED -> "The upstream call was abandoned.";
    };
  }
}
