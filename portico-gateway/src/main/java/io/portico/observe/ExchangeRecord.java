package io.portico.observe;

import io.netty.handler.codec.http.HttpHeaders;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What is recorded of one finished exchange: the access log line, and later metrics and traces.
 * Times are milliseconds; -1 means the step did not happen.
 *
 * <p>Made by a {@link Builder}: {@link Builder#build} makes a record of its own, which never
 * changes; {@link Builder#buildShared} gives the builder's one shared record, filled anew by each
 * of its builds, for observers that keep nothing past {@link ExchangeObserver#onExchangeComplete}
 * ({@link ExchangeObserver#keepsRecords}): then a proxied exchange costs no record. A record's
 * values (strings, lists) never change; only a shared record's fields are set again. Equality is
 * that of its components, as for a Java record:
 *
 * <ul>
 *   <li>{@code startEpochMillis}: wall-clock time the request head arrived
 *   <li>{@code requestId}: the request id, or null when the exchange ended before it was assigned;
 *       also null for observers that do not read it ({@link ExchangeObserver#readsRequestId}) when
 *       the gateway generated the id and nothing made its text
 *   <li>{@code clientAddress}: the client's address, or null when the exchange ended before it was
 *       known
 *   <li>{@code host}: the Host the client sent, or null when it sent none
 *   <li>{@code route}: the matched route's name, or null when no route matched
 *   <li>{@code service}: the route's service, or null when it has none (or no route matched)
 *   <li>{@code upstream}: the endpoint the last attempt went to ({@code host:port}), or null
 *   <li>{@code failure}: the failure code ({@code Failure.code()}), or null when the exchange
 *       succeeded
 *   <li>{@code attempts}: upstream attempts made (retries included)
 *   <li>{@code backends}: the backend calls of an aggregate route, in config order; empty otherwise
 *   <li>{@code consumer}: the authenticated consumer's name, or null
 *   <li>{@code authenticatedBy}: the authentication plugin that established the caller's identity,
 *       or null
 *   <li>{@code repliedBy}: the plugin (as named in its chain) that answered the request locally, or
 *       null
 *   <li>{@code repliedByAuthentication}: whether {@code repliedBy} runs in the authentication band
 *       of priorities (2000 to 2999, see {@code PluginFactory.priority()}): its 503 is an
 *       authentication refusal, counted in {@code portico_auth_total}
 *   <li>{@code limitDecision}: what the rate limiter decided ({@code allowed}, {@code limited},
 *       {@code failed-open}, {@code failed-closed}, {@code local-fallback}), or null when none ran
 *   <li>{@code query}: the request's raw query string (without {@code ?}), or null when it had none
 *   <li>{@code requestHeaders}: the request's headers, or null; read them only during {@link
 *       ExchangeObserver#onExchangeComplete}, on the exchange's event loop
 *   <li>{@code responseHeaders}: the headers of the response sent to the client, or null when none
 *       was sent; the same rule applies
 *   <li>{@code traceId}: the exchange's trace id, or null when tracing is off
 *   <li>{@code ai}: what the AI gateway did for the exchange (model, provider, tokens, cost), or
 *       null on a route without {@code ai}
 *   <li>{@code grpcStatus}: the gRPC status of a gRPC call ({@code grpc-status} from the upstream's
 *       trailers, or the gateway's own answer), or -1 when the exchange was not a gRPC call
 *   <li>{@code requestBody}: the start of the request body as the client sent it, or null when
 *       bodies are not captured (see {@code runtime.access-log.body})
 *   <li>{@code responseBody}: the start of the response body as sent to the client, or null
 * </ul>
 */
public final class ExchangeRecord implements Cloneable {
  // The components' fields, in order: not the transient ones, which say how it is held and made.
  private static final Field[] COMPONENTS =
      Arrays.stream(ExchangeRecord.class.getDeclaredFields())
          .filter(f -> (f.getModifiers() & (Modifier.STATIC | Modifier.TRANSIENT)) == 0)
          .toArray(Field[]::new);

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

  /** Whether this is a builder's shared record, which its next build fills anew. */
  private transient boolean shared;

  /** Whether {@link #requestId()} makes the id's text, on the thread that reads it first. */
  private transient boolean idPending;

  private transient long idHigh;
  private transient long idLow;

  private ExchangeRecord() {}

  /** A builder of a record with every component unset: see {@link Builder} for the defaults. */
  public static Builder builder() {
    return new Builder(new ExchangeRecord());
  }

  /** A builder holding this record's components, to make a record that differs in a few. */
  public Builder toBuilder() {
    return new Builder(copy());
  }

  public long startEpochMillis() {
    return startEpochMillis;
  }

  public @Nullable String requestId() {
    String id = requestId;
    if (id == null && idPending) {
      // Threads that read a kept record at once may each make the text: the same, immutable value.
      id = RequestIds.text(idHigh, idLow);
      requestId = id;
    }
    return id;
  }

  public @Nullable String clientAddress() {
    return clientAddress;
  }

  public String method() {
    return Objects.requireNonNull(method);
  }

  public String path() {
    return Objects.requireNonNull(path);
  }

  public String protocol() {
    return Objects.requireNonNull(protocol);
  }

  public @Nullable String host() {
    return host;
  }

  public @Nullable String route() {
    return route;
  }

  public @Nullable String service() {
    return service;
  }

  public @Nullable String upstream() {
    return upstream;
  }

  public int status() {
    return status;
  }

  public long requestBytes() {
    return requestBytes;
  }

  public long responseBytes() {
    return responseBytes;
  }

  public double durationMillis() {
    return durationMillis;
  }

  public double upstreamConnectMillis() {
    return upstreamConnectMillis;
  }

  public double upstreamResponseMillis() {
    return upstreamResponseMillis;
  }

  public @Nullable String failure() {
    return failure;
  }

  public int attempts() {
    return attempts;
  }

  public @Nullable String userAgent() {
    return userAgent;
  }

  public List<Backend> backends() {
    return backends;
  }

  public @Nullable String consumer() {
    return consumer;
  }

  public @Nullable String authenticatedBy() {
    return authenticatedBy;
  }

  public @Nullable String repliedBy() {
    return repliedBy;
  }

  public boolean repliedByAuthentication() {
    return repliedByAuthentication;
  }

  public @Nullable String limitDecision() {
    return limitDecision;
  }

  public @Nullable String query() {
    return query;
  }

  public @Nullable HttpHeaders requestHeaders() {
    return requestHeaders;
  }

  public @Nullable HttpHeaders responseHeaders() {
    return responseHeaders;
  }

  public @Nullable String traceId() {
    return traceId;
  }

  public @Nullable Ai ai() {
    return ai;
  }

  public int grpcStatus() {
    return grpcStatus;
  }

  public @Nullable Body requestBody() {
    return requestBody;
  }

  public @Nullable Body responseBody() {
    return responseBody;
  }

  /**
   * This record without its headers, for keeping past {@link ExchangeObserver#onExchangeComplete}
   * (the headers are only valid during it) without holding the exchange's header maps: itself when
   * it has none, unless it is a builder's shared record ({@link Builder#buildShared}), of which
   * this is always a copy of its own.
   */
  public ExchangeRecord withoutHeaders() {
    if (requestHeaders == null && responseHeaders == null && !shared) {
      return this;
    }
    // No builder: the access log calls this on the event loop for every exchange it writes.
    ExchangeRecord copy = copy();
    copy.requestHeaders = null;
    copy.responseHeaders = null;
    return copy;
  }

  /** A record of its own with this one's components. */
  private ExchangeRecord copy() {
    try {
      ExchangeRecord copy = (ExchangeRecord) super.clone();
      copy.shared = false;
      return copy;
    } catch (CloneNotSupportedException e) {
      throw new AssertionError(e);
    }
  }

  // Equality of the components, as for a Java record; not on the proxy's path.
  private Object[] components() {
    requestId();
    Object[] values = new Object[COMPONENTS.length];
    for (int i = 0; i < values.length; i++) {
      try {
        values[i] = COMPONENTS[i].get(this);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }
    return values;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof ExchangeRecord other && Arrays.equals(components(), other.components());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(components());
  }

  @Override
  public String toString() {
    Object[] values = components();
    StringBuilder s = new StringBuilder("ExchangeRecord[");
    for (int i = 0; i < values.length; i++) {
      s.append(i == 0 ? "" : ", ").append(COMPONENTS[i].getName()).append('=').append(values[i]);
    }
    return s.append(']').toString();
  }

  /**
   * Builds an {@link ExchangeRecord}. {@code method}, {@code path} and {@code protocol} must be
   * set; every other component defaults to what an exchange that did not get that far records:
   * null, 0 or {@code false}, except {@code upstreamConnectMillis}, {@code upstreamResponseMillis}
   * and {@code grpcStatus} (-1) and {@code backends} (empty). Not thread-safe; one builder makes
   * one record at a time.
   */
  public static final class Builder {
    /** The components set so far: the record {@link #buildShared} gives. */
    private final ExchangeRecord draft;

    private Builder(ExchangeRecord draft) {
      this.draft = draft;
      draft.shared = true;
    }

    public Builder startEpochMillis(long startEpochMillis) {
      draft.startEpochMillis = startEpochMillis;
      return this;
    }

    public Builder requestId(@Nullable String requestId) {
      draft.requestId = requestId;
      draft.idPending = false;
      return this;
    }

    /**
     * Sets the request id to the generated 128 bits {@code high}, {@code low}, whose text ({@link
     * RequestIds#text}) the record makes when {@link ExchangeRecord#requestId()} is first called.
     */
    public Builder generatedRequestId(long high, long low) {
      draft.requestId = null;
      draft.idPending = true;
      draft.idHigh = high;
      draft.idLow = low;
      return this;
    }

    public Builder clientAddress(@Nullable String clientAddress) {
      draft.clientAddress = clientAddress;
      return this;
    }

    public Builder method(String method) {
      draft.method = method;
      return this;
    }

    public Builder path(String path) {
      draft.path = path;
      return this;
    }

    public Builder protocol(String protocol) {
      draft.protocol = protocol;
      return this;
    }

    public Builder host(@Nullable String host) {
      draft.host = host;
      return this;
    }

    public Builder route(@Nullable String route) {
      draft.route = route;
      return this;
    }

    public Builder service(@Nullable String service) {
      draft.service = service;
      return this;
    }

    public Builder upstream(@Nullable String upstream) {
      draft.upstream = upstream;
      return this;
    }

    public Builder status(int status) {
      draft.status = status;
      return this;
    }

    public Builder requestBytes(long requestBytes) {
      draft.requestBytes = requestBytes;
      return this;
    }

    public Builder responseBytes(long responseBytes) {
      draft.responseBytes = responseBytes;
      return this;
    }

    public Builder durationMillis(double durationMillis) {
      draft.durationMillis = durationMillis;
      return this;
    }

    public Builder upstreamConnectMillis(double upstreamConnectMillis) {
      draft.upstreamConnectMillis = upstreamConnectMillis;
      return this;
    }

    public Builder upstreamResponseMillis(double upstreamResponseMillis) {
      draft.upstreamResponseMillis = upstreamResponseMillis;
      return this;
    }

    public Builder failure(@Nullable String failure) {
      draft.failure = failure;
      return this;
    }

    public Builder attempts(int attempts) {
      draft.attempts = attempts;
      return this;
    }

    public Builder userAgent(@Nullable String userAgent) {
      draft.userAgent = userAgent;
      return this;
    }

    public Builder backends(List<Backend> backends) {
      draft.backends = backends;
      return this;
    }

    public Builder consumer(@Nullable String consumer) {
      draft.consumer = consumer;
      return this;
    }

    public Builder authenticatedBy(@Nullable String authenticatedBy) {
      draft.authenticatedBy = authenticatedBy;
      return this;
    }

    public Builder repliedBy(@Nullable String repliedBy) {
      draft.repliedBy = repliedBy;
      return this;
    }

    public Builder repliedByAuthentication(boolean repliedByAuthentication) {
      draft.repliedByAuthentication = repliedByAuthentication;
      return this;
    }

    public Builder limitDecision(@Nullable String limitDecision) {
      draft.limitDecision = limitDecision;
      return this;
    }

    public Builder query(@Nullable String query) {
      draft.query = query;
      return this;
    }

    public Builder requestHeaders(@Nullable HttpHeaders requestHeaders) {
      draft.requestHeaders = requestHeaders;
      return this;
    }

    public Builder responseHeaders(@Nullable HttpHeaders responseHeaders) {
      draft.responseHeaders = responseHeaders;
      return this;
    }

    public Builder traceId(@Nullable String traceId) {
      draft.traceId = traceId;
      return this;
    }

    public Builder ai(@Nullable Ai ai) {
      draft.ai = ai;
      return this;
    }

    public Builder grpcStatus(int grpcStatus) {
      draft.grpcStatus = grpcStatus;
      return this;
    }

    public Builder requestBody(@Nullable Body requestBody) {
      draft.requestBody = requestBody;
      return this;
    }

    public Builder responseBody(@Nullable Body responseBody) {
      draft.responseBody = responseBody;
      return this;
    }

    /** A record of its own, which nothing changes; NPE when method, path or protocol is unset. */
    public ExchangeRecord build() {
      return checked().copy();
    }

    /**
     * This builder's shared record, the same object on every call, whose components follow the
     * builder's setters: for observers that keep nothing of it ({@link
     * ExchangeObserver#keepsRecords} false). NPE when method, path or protocol is unset.
     */
    public ExchangeRecord buildShared() {
      return checked();
    }

    private ExchangeRecord checked() {
      Objects.requireNonNull(draft.method, "method");
      Objects.requireNonNull(draft.path, "path");
      Objects.requireNonNull(draft.protocol, "protocol");
      return draft;
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
