package io.portico.proxy;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.portico.config.LimitsConfig;
import io.portico.observe.RequestIds;
import io.portico.observe.trace.RequestTrace;
import io.portico.observe.trace.Tracing;
import io.portico.router.PathTemplate;
import io.portico.router.RouteMatch;
import io.portico.snapshot.CompiledRoute;
import io.portico.snapshot.Snapshot;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.ExchangeKey;
import io.portico.spi.plugin.Identity;
import io.portico.traffic.SplitTarget;
import io.portico.traffic.TrafficSplit;
import io.portico.upstream.HashKey;
import io.portico.upstream.UpstreamHooks;
import io.portico.upstream.UpstreamService;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * What an exchange is, as its plugins see it ({@link Exchange}) and as its record tells it: the
 * request and its id, the client, the normalized and forwarded paths, the route and service, the
 * plugins' attributes, the trace, the response head and trailers, the status and the failure.
 *
 * <p>The facts are set by the steps of {@link HttpExchange}, which extends this view (through
 * {@link RequestBody} and {@link ResponseRelay}), as they establish them (the request id and client
 * address with the head, the path when it passed its checks, the route and service by routing, the
 * response by the answer), and read by the plugins through the methods of {@link Exchange} and by
 * {@link ExchangeRecords}. Being the same object as the exchange, the view costs a plain request no
 * allocation of its own.
 *
 * <p>Threading: confined to the client connection's event loop, like the exchange; the plugins'
 * asynchronous work resumes there before it reads anything.
 */
abstract class ExchangeView implements Exchange {

  final DownstreamHandler conn;
  final LimitsConfig limits;

  // the request, and when it came (set anew when the connection reuses the exchange)
  HttpRequest request;
  Snapshot snapshot;
  long startNanos;
  String originalUri;
  boolean clientHttp10;

  /** The client's version: the head itself goes upstream as HTTP/1.1. */
  HttpVersion clientVersion;

  // what the checks and the router established

  /**
   * The request id as text: a trusted peer's, or the generated one once something asked for its
   * text ({@link #requestIdOrNull}); null before either.
   */
  private @Nullable String requestId;

  /**
   * Whether the request id is the generated {@link #idHigh}, {@link #idLow}: its text is then made
   * only when something reads it, and the upstream encoder writes its digits straight into the
   * head's buffer where nothing else reads the head ({@link UpstreamHead#prepare}).
   */
  boolean idGenerated;

  long idHigh;
  long idLow;
  @Nullable InetSocketAddress clientAddress;
  boolean peerTrusted;
  @Nullable String path;
  @Nullable String rawQuery;
  @Nullable String forwardPath;
  @Nullable String originalHost;
  @Nullable Map<String, List<String>> queryParameters;
  @Nullable RouteMatch<CompiledRoute> match;

  @Nullable CompiledRoute route;
  @Nullable UpstreamService service;
  @Nullable Map<ExchangeKey<?>, Object> attributes;

  /** The exchange's trace; null when tracing is off, and then nothing traces. */
  @Nullable RequestTrace trace;

  /** The gRPC call this exchange is, or null. */
  @Nullable GrpcCall grpc;

  /** What the access log keeps of this exchange's bodies; null when nothing (no byte copied). */
  @Nullable CapturedBodies captured;

  // the answer
  @Nullable HttpResponse response;

  /** The upstream response's trailers, once its body has ended. */
  @Nullable HttpHeaders responseTrailers;

  int status;
  @Nullable Failure failure;

  // bytes of the bodies each way
  long requestBytes;
  long responseBytes;

  ExchangeView(
      DownstreamHandler conn, HttpRequest request, Snapshot snapshot, LimitsConfig limits) {
    this.conn = conn;
    this.request = request;
    this.snapshot = snapshot;
    this.limits = limits;
    this.originalUri = request.uri();
    this.clientVersion = request.protocolVersion();
    this.clientHttp10 = clientVersion.equals(HttpVersion.HTTP_1_0);
    this.startNanos = conn.nanoTime();
  }

  /**
   * Sets the view for the connection's next request as the constructor sets a new one, every fact
   * of the previous request cleared ({@link HttpExchange#reuse}).
   */
  void resetView(HttpRequest request, Snapshot snapshot) {
    this.request = request;
    this.snapshot = snapshot;
    this.originalUri = request.uri();
    this.clientVersion = request.protocolVersion();
    this.clientHttp10 = clientVersion.equals(HttpVersion.HTTP_1_0);
    this.startNanos = conn.nanoTime();
    requestId = null;
    idGenerated = false;
    idHigh = 0;
    idLow = 0;
    clientAddress = null;
    peerTrusted = false;
    path = null;
    rawQuery = null;
    forwardPath = null;
    originalHost = null;
    queryParameters = null;
    match = null;
    route = null;
    service = null;
    attributes = null;
    trace = null;
    grpc = null;
    captured = null;
    response = null;
    responseTrailers = null;
    status = 0;
    failure = null;
    requestBytes = 0;
    responseBytes = 0;
  }

  /** The exchange's trace, or null when tracing is off. */
  public @Nullable RequestTrace trace() {
    return trace;
  }

  @Nullable String traceId() {
    return trace == null ? null : trace.traceId();
  }

  /** The client's address as text: the connection's, made once, when it is the peer's. */
  @Nullable String clientAddressText() {
    if (clientAddress == null) {
      return null;
    }
    if (clientAddress == conn.peer() && clientAddress.getAddress() != null) {
      return conn.peerText();
    }
    return clientAddress.getAddress().getHostAddress();
  }

  @Override
  public String requestId() {
    return Objects.requireNonNull(
        requestIdOrNull(), "the request id is assigned when the head arrives");
  }

  /** The request id's text when it was made (or came from a trusted peer), else null. */
  @Nullable String requestIdIfMade() {
    return requestId;
  }

  /**
   * The request id as text, made from the generated bits at the first call; null before the head
   * arrived.
   */
  @Nullable String requestIdOrNull() {
    String id = requestId;
    if (id == null && idGenerated) {
      id = RequestIds.text(idHigh, idLow);
      requestId = id;
    }
    return id;
  }

  @Override
  public HttpRequest request() {
    return request;
  }

  @Override
  public String path() {
    return headPath();
  }

  @Override
  public String forwardPath() {
    return Objects.requireNonNull(
        forwardPath, "the forward path is set when the exchange is routed");
  }

  @Override
  public void forwardPath(String pathAndQuery) {
    this.forwardPath = pathAndQuery;
  }

  @Override
  public Map<String, List<String>> queryParameters() {
    if (queryParameters == null) {
      // Only '&' separates parameters, as the router and the upstream read them: with Netty's
      // default, "?a=1;apikey=k" would hold an apikey that neither of them sees.
      queryParameters =
          rawQuery == null
              ? Map.of()
              : new QueryStringDecoder(rawQuery, StandardCharsets.UTF_8, false, 1024, true)
                  .parameters();
    }
    return queryParameters;
  }

  @Override
  public Map<String, String> pathParameters() {
    return match == null ? Map.of() : match.pathParameters();
  }

  @Override
  public @Nullable HttpResponse response() {
    return response;
  }

  @Override
  public @Nullable HttpHeaders responseTrailers() {
    return responseTrailers;
  }

  @Override
  public InetSocketAddress clientAddress() {
    return Objects.requireNonNull(clientAddress, "the client address is set when the head arrives");
  }

  @Override
  public InetSocketAddress peerAddress() {
    return conn.peer();
  }

  @Override
  public boolean secure() {
    return conn.secure();
  }

  @Override
  public javax.net.ssl.@Nullable SSLSession sslSession() {
    return conn.sslSession();
  }

  @Override
  public @Nullable String routeName() {
    return route == null ? null : route.name();
  }

  @Override
  public @Nullable String serviceName() {
    return service == null ? null : service.name();
  }

  @Override
  public EventLoop eventLoop() {
    return conn.eventLoop();
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> @Nullable T get(ExchangeKey<T> key) {
    return attributes == null ? null : (T) attributes.get(key);
  }

  @Override
  public <T> void set(ExchangeKey<T> key, T value) {
    if (attributes == null) {
      attributes = new IdentityHashMap<>(4);
    }
    attributes.put(key, value);
  }

  @Override
  public int status() {
    return status;
  }

  @Override
  public @Nullable String failureCode() {
    return failure == null ? null : failure.code();
  }

  @Override
  public long elapsedNanos() {
    return conn.nanoTime() - startNanos;
  }

  /** Whether the client speaks HTTP/2 (a stream of its connection). */
  boolean http2() {
    return conn.http2();
  }

  // ---------------------------------------------------------------- who asks, and where it goes

  /**
   * The client's facts, from the head: whether its peer is a trusted proxy, the request id (a
   * trusted peer's well-formed one, else a new one), the client's address, and the trace when
   * tracing is on.
   */
  void identifyClient() {
    HttpHeaders headers = request.headers();
    peerTrusted = snapshot.forwarding().isTrusted(conn.peer());
    assignRequestId(headers);
    clientAddress = snapshot.forwarding().clientAddress(conn.peer(), peerTrusted, headers);
    Tracing tracing = conn.tracing();
    if (tracing != null) {
      beginTrace(tracing);
    }
  }

  private void assignRequestId(HttpHeaders headers) {
    String incoming = peerTrusted ? headers.get(snapshot.forwarding().requestIdHeader()) : null;
    if (incoming != null && RequestIds.isWellFormed(incoming)) {
      requestId = incoming;
    } else {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      idHigh = random.nextLong();
      idLow = random.nextLong();
      idGenerated = true;
    }
  }

  private void beginTrace(Tracing tracing) {
    trace =
        tracing.begin(
            request.headers(),
            request.method().name(),
            originalUri,
            request.headers().get(HttpHeaderNames.HOST),
            conn.peer(),
            conn.secure(),
            conn.http2() ? "2" : clientHttp10 ? "1.0" : "1.1");
    if (trace.recording()) {
      trace.requestId(requestId());
      String client = clientAddressText();
      if (client != null) {
        trace.clientAddress(client);
      }
    }
  }

  /** The path and query forwarded: rewritten, or stripped of the route's prefix, per route. */
  String computeForwardPath() {
    String p = headPath();
    PathTemplate rewrite = routed().rewrite();
    if (rewrite != null) {
      p = routeMatch().rewrittenPath(rewrite);
    } else if (routed().config().stripPrefix()) {
      p = routeMatch().strippedPath();
    }
    return rawQuery == null ? p : p + "?" + rawQuery;
  }

  /** The target of the route's traffic split for this request, or null for the route's own. */
  @Nullable SplitTarget chooseSplit(TrafficSplit split) {
    Identity identity = get(Identity.KEY);
    return split.choose(
        request.headers(),
        rawQuery,
        clientAddress,
        identity == null ? null : identity.consumer(),
        this::pathParameters);
  }

  /** The request's hash for a hashing balancer. */
  long hashOf(HashKey key) {
    Identity identity = get(Identity.KEY);
    return key.hash(
        request.headers(),
        clientAddress,
        identity == null ? null : identity.consumer(),
        pathParameters());
  }

  /** The hooks of one upstream call: the shared ones, and its client spans when tracing is on. */
  UpstreamHooks upstreamHooks(String method) {
    UpstreamHooks shared = conn.upstreamHooks();
    return trace == null ? shared : new TracedAttempts(trace, shared, method);
  }

  // ---------------------------------------------------------------- set during the exchange

  /** The request path; set when the head passed its checks, before routing and any plugin. */
  String headPath() {
    return Objects.requireNonNull(path, "the path is set when the head passed its checks");
  }

  /** The matched route; set by routing, before any phase that reads it. */
  CompiledRoute routed() {
    return Objects.requireNonNull(route, "the exchange is routed");
  }

  RouteMatch<CompiledRoute> routeMatch() {
    return Objects.requireNonNull(match, "the exchange is routed");
  }

  /** The route's service; set by routing for a route that calls one upstream. */
  UpstreamService upstreamService() {
    return Objects.requireNonNull(service, "an exchange calling an upstream has its service");
  }
}
