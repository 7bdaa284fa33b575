package io.portico.proxy;

import io.portico.upstream.CallFailure;

/**
 * How an upstream call's failure is told: one {@link Failure} of the catalogue, and a detail for
 * the client that names the service but no upstream address (the address, with the call's own
 * detail, goes to the debug log and the access log's upstream field, never to clients).
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

  /**
   * The client's detail: what happened, the service's name (never an address), and for the failures
   * a config or a stopped upstream causes, what to check.
   */
  static String clientDetail(CallFailure reason, String service) {
    String s = "\"" + service + "\"";
    return switch (reason) {
      case NO_ENDPOINT ->
          "The upstream service "
              + s
              + " has no available endpoint: its targets are all unhealthy or its discovery found"
              + " none.";
      case POOL_EXHAUSTED -> "Too many requests are waiting for the upstream service " + s + ".";
      case CIRCUIT_OPEN -> "The circuit breaker of the upstream service " + s + " is open.";
      case OVERLOADED -> "The upstream service " + s + " is at its circuit breaker's limits.";
      case CONNECT_FAILED ->
          "Could not connect to the upstream service "
              + s
              + ": check that it is running and listening at its targets (the access log's"
              + " upstream field names the address tried).";
      case CONNECT_TIMEOUT ->
          "Connecting to the upstream service "
              + s
              + " timed out: check that its targets are reachable from the gateway, or raise its"
              + " timeouts.connect.";
      case TLS_FAILED ->
          "The TLS certificate of the upstream service "
              + s
              + " could not be verified: check the service's tls settings (ca, server-name)"
              + " against its certificate.";
      case RESPONSE_TIMEOUT ->
          "The upstream service "
              + s
              + " did not answer in time (timeouts.response of the route or the service).";
      case IDLE_TIMEOUT -> "The upstream service " + s + " stalled while sending the response.";
      case RESET_BEFORE_RESPONSE ->
          "The upstream service " + s + " closed the connection before answering.";
      case RESET_AFTER_RESPONSE ->
          "The upstream service " + s + " closed the connection mid-response.";
      case PROTOCOL_ERROR -> "The upstream service " + s + " sent a malformed response.";
      case CANCELLED -> "The upstream call was abandoned.";
    };
  }
}
