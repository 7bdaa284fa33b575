package io.portico.observe;

/**
 * What is recorded of one finished exchange: the access log line, and later metrics and traces.
 * Times are milliseconds; -1 means the step did not happen.
 *
 * @param startEpochMillis wall-clock time the request head arrived
 * @param upstream the endpoint the last attempt went to ({@code host:port}), or null
 * @param failure the failure code ({@code Failure.code()}), or null when the exchange succeeded
 * @param attempts upstream attempts made (retries included)
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
    String userAgent) {}
