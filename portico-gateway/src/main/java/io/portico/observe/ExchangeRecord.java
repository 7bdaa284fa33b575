package io.portico.observe;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What is recorded of one finished exchange: the access log line, and later metrics and traces.
 * Times are milliseconds; -1 means the step did not happen.
 *
 * @param startEpochMillis wall-clock time the request head arrived
 * @param requestId the request id, or null when the exchange ended before it was assigned; also
 *     null for observers that do not read it ({@link ExchangeObserver#readsRequestId}) when the
 *     gateway generated the id and nothing made its text
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
 * @param repliedByAuthentication whether {@code repliedBy} runs in the authentication band of
 *     priorities (2000 to 2999, see {@code PluginFactory.priority()}): its 503 is an authentication
 *     refusal, counted in {@code portico_auth_total}
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
    List<Backend> backends,
    @Nullable String consumer,
    @Nullable String authenticatedBy,
    @Nullable String repliedBy,
    boolean repliedByAuthentication,
    @Nullable String limitDecision,
    @Nullable String query,
    @Nullable HttpHeaders requestHeaders,
    @Nullable HttpHeaders responseHeaders,
    @Nullable String traceId,
    @Nullable Ai ai,
    int grpcStatus,
    @Nullable Body requestBody,
    @Nullable Body responseBody) {

  /** A builder of a record with every component unset: see {@link Builder} for the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this record's components, to make a record that differs in a few. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.startEpochMillis = startEpochMillis;
    b.requestId = requestId;
    b.clientAddress = clientAddress;
    b.method = method;
    b.path = path;
    b.protocol = protocol;
    b.host = host;
    b.route = route;
    b.service = service;
    b.upstream = upstream;
    b.status = status;
    b.requestBytes = requestBytes;
    b.responseBytes = responseBytes;
    b.durationMillis = durationMillis;
    b.upstreamConnectMillis = upstreamConnectMillis;
    b.upstreamResponseMillis = upstreamResponseMillis;
    b.failure = failure;
    b.attempts = attempts;
    b.userAgent = userAgent;
    b.backends = backends;
    b.consumer = consumer;
    b.authenticatedBy = authenticatedBy;
    b.repliedBy = repliedBy;
    b.repliedByAuthentication = repliedByAuthentication;
    b.limitDecision = limitDecision;
    b.query = query;
    b.requestHeaders = requestHeaders;
    b.responseHeaders = responseHeaders;
    b.traceId = traceId;
    b.ai = ai;
    b.grpcStatus = grpcStatus;
    b.requestBody = requestBody;
    b.responseBody = responseBody;
    return b;
  }

  /**
   * Builds an {@link ExchangeRecord}. {@code method}, {@code path} and {@code protocol} must be
   * set; every other component defaults to what an exchange that did not get that far records:
   * null, 0 or {@code false}, except {@code upstreamConnectMillis}, {@code upstreamResponseMillis}
   * and {@code grpcStatus} (-1) and {@code backends} (empty). Not thread-safe; one builder makes
   * one record at a time.
   */
  public static final class Builder {
    private long startEpochMillis;
    private @Nullable String requestId;
    private @Nullable String clientAddress;
    private @Nullable String method;
    private @Nullable String path;
    private @Nullable String protocol;
    private @Nullable String host;
    private @Nullable String route;
    private @Nullable String service;
    private @Nullable String upstream;
    private int status;
    private long requestBytes;
    private long responseBytes;
    private double durationMillis;
    private double upstreamConnectMillis = -1;
    private double upstreamResponseMillis = -1;
    private @Nullable String failure;
    private int attempts;
    private @Nullable String userAgent;
    private List<Backend> backends = List.of();
    private @Nullable String consumer;
    private @Nullable String authenticatedBy;
    private @Nullable String repliedBy;
    private boolean repliedByAuthentication;
    private @Nullable String limitDecision;
    private @Nullable String query;
    private @Nullable HttpHeaders requestHeaders;
    private @Nullable HttpHeaders responseHeaders;
    private @Nullable String traceId;
    private @Nullable Ai ai;
    private int grpcStatus = -1;
    private @Nullable Body requestBody;
    private @Nullable Body responseBody;

    private Builder() {}

    public Builder startEpochMillis(long startEpochMillis) {
      this.startEpochMillis = startEpochMillis;
      return this;
    }

    public Builder requestId(@Nullable String requestId) {
      this.requestId = requestId;
      return this;
    }

    public Builder clientAddress(@Nullable String clientAddress) {
      this.clientAddress = clientAddress;
      return this;
    }

    public Builder method(String method) {
      this.method = method;
      return this;
    }

    public Builder path(String path) {
      this.path = path;
      return this;
    }

    public Builder protocol(String protocol) {
      this.protocol = protocol;
      return this;
    }

    public Builder host(@Nullable String host) {
      this.host = host;
      return this;
    }

    public Builder route(@Nullable String route) {
      this.route = route;
      return this;
    }

    public Builder service(@Nullable String service) {
      this.service = service;
      return this;
    }

    public Builder upstream(@Nullable String upstream) {
      this.upstream = upstream;
      return this;
    }

    public Builder status(int status) {
      this.status = status;
      return this;
    }

    public Builder requestBytes(long requestBytes) {
      this.requestBytes = requestBytes;
      return this;
    }

    public Builder responseBytes(long responseBytes) {
      this.responseBytes = responseBytes;
      return this;
    }

    public Builder durationMillis(double durationMillis) {
      this.durationMillis = durationMillis;
      return this;
    }

    public Builder upstreamConnectMillis(double upstreamConnectMillis) {
      this.upstreamConnectMillis = upstreamConnectMillis;
      return this;
    }

    public Builder upstreamResponseMillis(double upstreamResponseMillis) {
      this.upstreamResponseMillis = upstreamResponseMillis;
      return this;
    }

    public Builder failure(@Nullable String failure) {
      this.failure = failure;
      return this;
    }

    public Builder attempts(int attempts) {
      this.attempts = attempts;
      return this;
    }

    public Builder userAgent(@Nullable String userAgent) {
      this.userAgent = userAgent;
      return this;
    }

    public Builder backends(List<Backend> backends) {
      this.backends = backends;
      return this;
    }

    public Builder consumer(@Nullable String consumer) {
      this.consumer = consumer;
      return this;
    }

    public Builder authenticatedBy(@Nullable String authenticatedBy) {
      this.authenticatedBy = authenticatedBy;
      return this;
    }

    public Builder repliedBy(@Nullable String repliedBy) {
      this.repliedBy = repliedBy;
      return this;
    }

    public Builder repliedByAuthentication(boolean repliedByAuthentication) {
      this.repliedByAuthentication = repliedByAuthentication;
      return this;
    }

    public Builder limitDecision(@Nullable String limitDecision) {
      this.limitDecision = limitDecision;
      return this;
    }

    public Builder query(@Nullable String query) {
      this.query = query;
      return this;
    }

    public Builder requestHeaders(@Nullable HttpHeaders requestHeaders) {
      this.requestHeaders = requestHeaders;
      return this;
    }

    public Builder responseHeaders(@Nullable HttpHeaders responseHeaders) {
      this.responseHeaders = responseHeaders;
      return this;
    }

    public Builder traceId(@Nullable String traceId) {
      this.traceId = traceId;
      return this;
    }

    public Builder ai(@Nullable Ai ai) {
      this.ai = ai;
      return this;
    }

    public Builder grpcStatus(int grpcStatus) {
      this.grpcStatus = grpcStatus;
      return this;
    }

    public Builder requestBody(@Nullable Body requestBody) {
      this.requestBody = requestBody;
      return this;
    }

    public Builder responseBody(@Nullable Body responseBody) {
      this.responseBody = responseBody;
      return this;
    }

    /**
     * The record.
     *
     * @throws NullPointerException when {@code method}, {@code path} or {@code protocol} is unset
     */
    public ExchangeRecord build() {
      return new ExchangeRecord(
          startEpochMillis,
          requestId,
          clientAddress,
          Objects.requireNonNull(method, "method"),
          Objects.requireNonNull(path, "path"),
          Objects.requireNonNull(protocol, "protocol"),
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
          repliedByAuthentication,
          limitDecision,
          query,
          requestHeaders,
          responseHeaders,
          traceId,
          ai,
          grpcStatus,
          requestBody,
          responseBody);
    }
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
      @Nullable String cache) {}

  /**
   * This record without its headers, for keeping past {@link ExchangeObserver#onExchangeComplete}
   * (the headers are only valid during it) without holding the exchange's header maps.
   */
  public ExchangeRecord withoutHeaders() {
    if (requestHeaders == null && responseHeaders == null) {
      return this;
    }
    // The canonical constructor rather than toBuilder(): the access log calls this on the event
    // loop for every exchange it writes, and a builder would be one more object each time.
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
        repliedByAuthentication,
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
