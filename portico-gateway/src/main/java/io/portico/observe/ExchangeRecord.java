package io.portico.observe;

import org.jspecify.annotations.Nullable;

/**
 * What is recorded of one finished exchange: the access log line, and later metrics and traces.
 * Times are milliseconds; -1 means the step did not happen.
 *
 * @param startEpochMillis wall-clock time the request head arrived
 * @param requestId the request id, or null when the exchange ended before it was assigned
 * @param clientAddress the client's address, or null when the exchange ended before it was known
 * @param host the Host the client sent, or null when it sent none
 * @param route the matched route's name, or null when no route matched
 * @param service the route's service, or null when it has none (or no route matched)
 * @param upstream the endpoint the last attempt went to ({@code host:port}), or null
 * @param failure the failure code ({@code Failure.code()}), or null when the exchange succeeded
 * @param attempts upstream attempts made (retries included)
 * @param backends the backend calls of an aggregate route, in config order; empty otherwise
 * @param consumer the authenticated consumer's name, or null
 * @param authenticatedBy the authentication plugin that established the caller's identity, or null
 * @param repliedBy the plugin (as named in its chain) that answered the request locally, or null
 * @param limitDecision what the rate limiter decided ({@code allowed}, {@code limited}, {@code
 *     failed-open}, {@code failed-closed}, {@code local-fallback}), or null when none ran
 * @param query the request's raw query string (without {@code ?}), or null when it had none
 * @param requestHeaders the request's headers, or null; read them only during {@link
 *     ExchangeObserver#onExchangeComplete}, on the exchange's event loop
 * @param responseHeaders the headers of the response sent to the client, or null when none was
 *     sent; the same rule applies
 * @param traceId the exchange's trace id, or null when tracing is off
 * @param ai what the AI gateway did for the exchange (model, provider, tokens, cost), or null on a
 *     route without {@code ai}
 * @param grpcStatus the gRPC status of a gRPC call ({@code grpc-status} from the upstream's
 *     trailers, or the gateway's own answer), or -1 when the exchange was not a gRPC call
 * @param requestBody the start of the request body as the client sent it, or null when bodies are
 *     not captured (see {@code runtime.access-log.body})
 * @param responseBody the start of the response body as sent to the client, or null
 */
public record ExchangeRecord(
    long startEpochMillis,
    @Nullable String requestId,
    @Nullable String clientAddress,
    String method,
    String path,
    String protocol,
    @Nullable String host,
    @Nullable String route,
    @Nullable String service,
    @Nullable String upstream,
    int status,
    long requestBytes,
    long responseBytes,
    double durationMillis,
    double upstreamConnectMillis,
    double upstreamResponseMillis,
    @Nullable String failure,
    int attempts,
    @Nullable String userAgent,
    java.util.List<Backend> backends,
    @Nullable String consumer,
    @Nullable String authenticatedBy,
    @Nullable String repliedBy,
    @Nullable String limitDecision,
    @Nullable String query,
    io.netty.handler.codec.http.@Nullable HttpHeaders requestHeaders,
    io.netty.handler.codec.http.@Nullable HttpHeaders responseHeaders,
    @Nullable String traceId,
    @Nullable Ai ai,
    int grpcStatus,
    @Nullable Body requestBody,
    @Nullable Body responseBody) {

  /** An exchange that was not a gRPC call, whose bodies were not captured. */
  public ExchangeRecord(
      long startEpochMillis,
      @Nullable String requestId,
      @Nullable String clientAddress,
      String method,
      String path,
      String protocol,
      @Nullable String host,
      @Nullable String route,
      @Nullable String service,
      @Nullable String upstream,
      int status,
      long requestBytes,
      long responseBytes,
      double durationMillis,
      double upstreamConnectMillis,
      double upstreamResponseMillis,
      @Nullable String failure,
      int attempts,
      @Nullable String userAgent,
      java.util.List<Backend> backends,
      @Nullable String consumer,
      @Nullable String authenticatedBy,
      @Nullable String repliedBy,
      @Nullable String limitDecision,
      @Nullable String query,
      io.netty.handler.codec.http.@Nullable HttpHeaders requestHeaders,
      io.netty.handler.codec.http.@Nullable HttpHeaders responseHeaders,
      @Nullable String traceId,
      @Nullable Ai ai) {
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
        consumer,
        authenticatedBy,
        repliedBy,
        limitDecision,
        query,
        requestHeaders,
        responseHeaders,
        traceId,
        ai,
        -1,
        null,
        null);
  }

  /** An exchange of a route without {@code ai}. */
  public ExchangeRecord(
      long startEpochMillis,
      @Nullable String requestId,
      @Nullable String clientAddress,
      String method,
      String path,
      String protocol,
      @Nullable String host,
      @Nullable String route,
      @Nullable String service,
      @Nullable String upstream,
      int status,
      long requestBytes,
      long responseBytes,
      double durationMillis,
      double upstreamConnectMillis,
      double upstreamResponseMillis,
      @Nullable String failure,
      int attempts,
      @Nullable String userAgent,
      java.util.List<Backend> backends,
      @Nullable String consumer,
      @Nullable String authenticatedBy,
      @Nullable String repliedBy,
      @Nullable String limitDecision,
      @Nullable String query,
      io.netty.handler.codec.http.@Nullable HttpHeaders requestHeaders,
      io.netty.handler.codec.http.@Nullable HttpHeaders responseHeaders,
      @Nullable String traceId) {
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
        consumer,
        authenticatedBy,
        repliedBy,
        limitDecision,
        query,
        requestHeaders,
        responseHeaders,
        traceId,
        null);
  }

  /** An exchange without an identity, a plugin's local answer, its query, headers or trace. */
  public ExchangeRecord(
      long startEpochMillis,
      @Nullable String requestId,
      @Nullable String clientAddress,
      String method,
      String path,
      String protocol,
      @Nullable String host,
      @Nullable String route,
      @Nullable String service,
      @Nullable String upstream,
      int status,
      long requestBytes,
      long responseBytes,
      double durationMillis,
      double upstreamConnectMillis,
      double upstreamResponseMillis,
      @Nullable String failure,
      int attempts,
      @Nullable String userAgent,
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
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /** An exchange without backend calls (a route that forwards, or one that plugins answer). */
  public ExchangeRecord(
      long startEpochMillis,
      @Nullable String requestId,
      @Nullable String clientAddress,
      String method,
      String path,
      String protocol,
      @Nullable String host,
      @Nullable String route,
      @Nullable String service,
      @Nullable String upstream,
      int status,
      long requestBytes,
      long responseBytes,
      double durationMillis,
      double upstreamConnectMillis,
      double upstreamResponseMillis,
      @Nullable String failure,
      int attempts,
      @Nullable String userAgent) {
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
   * What the AI gateway did for one exchange. Token counts are -1 when unknown.
   *
   * @param model the model the client named
   * @param provider the provider that answered (or last tried), or null when none was tried
   * @param providerModel the model name at that provider, or null
   * @param estimated whether the tokens were counted by the gateway's tokenizer (the provider
   *     reported none, or its stream was cut)
   * @param cost the call's cost from the price table, or -1 when the model has no price
   * @param firstTokenMillis from the request to the first streamed event, or -1
   * @param tokensPerSecond completion tokens per second of generation, or -1
   * @param masked how many values the route's guard masked in the prompt (e-mail addresses and card
   *     numbers): 0 when it found none, -1 on a route (or for a request) it does not mask
   * @param cache the response cache's verdict ({@code hit}, {@code miss}, {@code bypass}), or null
   *     on a route without a cache
   */
  public record Ai(
      String model,
      @Nullable String provider,
      @Nullable String providerModel,
      boolean stream,
      long promptTokens,
      long completionTokens,
      long totalTokens,
      boolean estimated,
      double cost,
      double firstTokenMillis,
      double tokensPerSecond,
      int masked,
      @Nullable String cache) {

    /** A call without masking or cache. */
    public Ai(
        String model,
        @Nullable String provider,
        @Nullable String providerModel,
        boolean stream,
        long promptTokens,
        long completionTokens,
        long totalTokens,
        boolean estimated,
        double cost,
        double firstTokenMillis,
        double tokensPerSecond) {
      this(
          model,
          provider,
          providerModel,
          stream,
          promptTokens,
          completionTokens,
          totalTokens,
          estimated,
          cost,
          firstTokenMillis,
          tokensPerSecond,
          -1,
          null);
    }
  }

  /**
   * This record without its headers, for keeping past {@link ExchangeObserver#onExchangeComplete}
   * (the headers are only valid during it) without holding the exchange's header maps.
   */
  public ExchangeRecord withoutHeaders() {
    if (requestHeaders == null && responseHeaders == null) {
      return this;
    }
    return new ExchangeRecord(
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
        consumer,
        authenticatedBy,
        repliedBy,
        limitDecision,
        query,
        null,
        null,
        traceId,
        ai,
        grpcStatus,
        requestBody,
        responseBody);
  }

  /**
   * The captured start of a body: its bytes as they went over the wire (after the cap), not yet
   * redacted; the access log redacts them when it formats the line, off the event loop.
   *
   * @param contentType the body's {@code Content-Type}
   * @param bytes the first bytes of the body, at most the configured cap; do not modify
   * @param truncated whether the body was longer than {@code bytes}
   */
  public record Body(String contentType, byte[] bytes, boolean truncated) {}

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
      @Nullable String upstream,
      int status,
      double durationMillis,
      @Nullable String failure) {}
}
