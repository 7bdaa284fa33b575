package io.portico.observe;

/**
 * What is recorded of one finished exchange: the access log line, and later metrics and traces.
 * Times are milliseconds; -1 means the step did not happen.
 *
 * @param startEpochMillis wall-clock time the request head arrived
 * @param upstream the endpoint the last attempt went to ({@code host:port}), or null
 * @param failure the failure code ({@code Failure.code()}), or null when the exchange succeeded
 * @param attempts upstream attempts made (retries included)
 * @param backends the backend calls of an aggregate route, in config order; empty otherwise
 * @param traceId the exchange's trace id, or null when tracing is off
 */
public record ExchangeRecord(
    long startEpochMillis,
    String requestId,
    String clientAddress,
    String method,
    String path,
    String protocol,
    String host,
    String route,
    String service,
    String upstream,
    int status,
    long requestBytes,
    long responseBytes,
    double durationMillis,
    double upstreamConnectMillis,
    double upstreamResponseMillis,
    String failure,
    int attempts,
    String userAgent,
    java.util.List<Backend> backends,
    String traceId) {

  /** An exchange without a trace (tracing off). */
  public ExchangeRecord(
      long startEpochMillis,
      String requestId,
      String clientAddress,
      String method,
      String path,
      String protocol,
      String host,
      String route,
      String service,
      String upstream,
      int status,
      long requestBytes,
      long responseBytes,
      double durationMillis,
      double upstreamConnectMillis,
      double upstreamResponseMillis,
      String failure,
      int attempts,
      String userAgent,
      java.util.List<Backend> backends) {
    this(
        startEpochMillis,
        requestId,
        clientAddress,
        method,
        path,
        protocol,
        host,
        route,
        service,
        upstream,
        status,
        requestBytes,
        responseBytes,
        durationMillis,
        upstreamConnectMillis,
        upstreamResponseMillis,
        failure,
        attempts,
        userAgent,
        backends,
        null);
  }

  /** An exchange without backend calls (a route that forwards, or one that plugins answer). */
  public ExchangeRecord(
      long startEpochMillis,
      String requestId,
      String clientAddress,
      String method,
      String path,
      String protocol,
      String host,
      String route,
      String service,
      String upstream,
      int status,
      long requestBytes,
      long responseBytes,
      double durationMillis,
      double upstreamConnectMillis,
      double upstreamResponseMillis,
      String failure,
      int attempts,
      String userAgent) {
    this(
        startEpochMillis,
        requestId,
        clientAddress,
        method,
        path,
        protocol,
        host,
        route,
        service,
        upstream,
        status,
        requestBytes,
        responseBytes,
        durationMillis,
        upstreamConnectMillis,
        upstreamResponseMillis,
        failure,
        attempts,
        userAgent,
        java.util.List.of());
  }

  /**
   * One backend call of an aggregate.
   *
   * @param upstream the endpoint of its last attempt ({@code host:port}), or null
   * @param status its response status, or 0 when none arrived
   * @param durationMillis from its start to its end, or -1 when it never started
   * @param failure why it failed (a code of the aggregate's catalogue), or null
   */
  public record Backend(
      String name,
      String service,
      String upstream,
      int status,
      double durationMillis,
      String failure) {}
}
