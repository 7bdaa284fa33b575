package io.portico.spi.plugin;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * One request and its response as a plugin sees it.
 *
 * <p>Threading: an exchange belongs to one event loop ({@link #eventLoop()}); every method must be
 * called on it. Plugins mutate {@link #request()} in request phases and {@link #response()} in the
 * response phase; the gateway forwards exactly what they leave there.
 *
 * <p>Bodies stream between client and upstream and plugins do not see them, unless a request phase
 * asks for the whole request body with {@link #requestBody(long)} (and may replace it with {@link
 * #replaceRequestBody}), or a plugin transforms the response body ({@link Plugin#responseBody},
 * {@link BodyTransform}).
 */
public interface Exchange {

  /** The request id: the client's {@code X-Request-Id} when trusted, or a generated one. */
  String requestId();

  /** The request head. Headers are mutable in REWRITE and ACCESS. */
  HttpRequest request();

  /**
   * The complete request body, read by the gateway for a REWRITE or ACCESS plugin that needs it (a
   * body digest, a transformation). Used with {@link Outcome#await}:
   *
   * <pre>{@code
   * public Outcome access(Exchange exchange) {
   *   return Outcome.await(
   *       exchange.requestBody(64 * 1024).thenApply(body -> accepts(body) ? Outcome.proceed() : DENY));
   * }
   * }</pre>
   *
   * <p>The contract:
   *
   * <ul>
   *   <li><b>Only when asked.</b> Bodies are streamed with backpressure and never held; the first
   *       call switches this exchange to reading its body into memory, and keeps reading the client
   *       (which is otherwise held until the upstream is connected). A request that announced
   *       {@code Expect: 100-continue} gets its {@code 100 Continue} at that call (unless its
   *       {@code Content-Length} is already over the limit).
   *   <li><b>Completion.</b> The stage completes on the exchange's event loop when the body has
   *       ended; a request without a body (or whose body has already arrived) completes at once,
   *       with an empty buffer when there is none.
   *   <li><b>Ownership.</b> The buffer is a read-only view owned by the gateway: do not release it
   *       (releasing it does nothing), and do not keep it. It is valid until the request is
   *       forwarded upstream or the exchange ends, whichever is first. Each call returns its own
   *       view, with its own reader index, of the same bytes: a second call (from the same or
   *       another plugin) gives the same body without reading it again.
   *   <li><b>Forwarding.</b> The body is forwarded upstream unchanged after the request phases,
   *       with the framing the client chose (its {@code Content-Length}, or chunked, trailers
   *       kept). A plugin that asks for the body and proceeds without waiting for the stage does
   *       not block the request: the body read so far is forwarded and the rest streams, and the
   *       stage then completes exceptionally.
   *   <li><b>Limits.</b> The body may be at most {@code maxBytes}, and at most the gateway's {@code
   *       limits.max-body-size}; a larger body (a larger {@code Content-Length} is refused at once)
   *       is answered with 413. When several calls give different limits, the smallest applies.
   *   <li><b>Failures.</b> When the body cannot be read, the gateway ends the exchange itself, with
   *       its usual problem responses: 413 (too large), 400 (malformed chunked framing), 408 (the
   *       client stopped sending for the route's {@code idle} timeout), or no response when the
   *       client went away. The stage then completes exceptionally (a {@link
   *       java.util.concurrent.CancellationException}) and whatever the plugin returns from it is
   *       ignored; nothing is forwarded upstream.
   * </ul>
   *
   * @param maxBytes the most bytes the plugin accepts, at least 0; the gateway never buffers more
   *     than {@link Integer#MAX_VALUE} bytes
   * @throws IllegalArgumentException when {@code maxBytes} is negative
   * @throws IllegalStateException outside the REWRITE and ACCESS phases
   */
  default CompletionStage<ByteBuf> requestBody(long maxBytes) {
    throw new UnsupportedOperationException("this exchange does not offer its request body");
  }

  /**
   * Replaces the request body forwarded upstream with {@code body}, in a REWRITE or ACCESS plugin.
   * The client's body must have been read completely first (the stage of {@link #requestBody}
   * completed), unless the request had none. The gateway takes ownership of {@code body} (it
   * releases it, also when the exchange ends before forwarding), forwards it with a {@code
   * Content-Length} of its size instead of the client's framing (any {@code Transfer-Encoding} and
   * trailers are dropped), and releases the client's body. A later call replaces an earlier
   * replacement. Plugins that ask for the body afterwards get the replacement.
   *
   * @throws IllegalStateException outside the REWRITE and ACCESS phases, or while the client's body
   *     is still arriving or streaming upstream
   */
  default void replaceRequestBody(ByteBuf body) {
    body.release();
    throw new UnsupportedOperationException("this exchange does not take a request body");
  }

  /**
   * Streams the client's body through {@code transform} on its way upstream, in a REWRITE or ACCESS
   * plugin: each piece as it arrives, without holding the body (see {@link RequestBodyTransform}).
   * The request is forwarded without the client's framing (no {@code Content-Length}: chunked to an
   * HTTP/1.1 upstream, DATA frames to an HTTP/2 one). One transform per exchange.
   *
   * @throws IllegalStateException outside the REWRITE and ACCESS phases, when the body was already
   *     read or replaced ({@link #requestBody}, {@link #replaceRequestBody}), or a transform is set
   */
  default void transformRequestBody(RequestBodyTransform transform) {
    throw new UnsupportedOperationException("this exchange does not transform its request body");
  }

  /**
   * The normalized request path (no query), as the router matched it. A REWRITE plugin may change
   * the path forwarded upstream with {@link #forwardPath(String)}.
   */
  String path();

  /** The path (with query) that will be forwarded upstream. */
  String forwardPath();

  /** Replaces the path (and query) forwarded upstream. */
  void forwardPath(String pathAndQuery);

  /**
   * Query parameters, decoded, in order; empty when none. Only {@code &} separates parameters: a
   * {@code ;} is part of a name or value, as the router and current servers read it.
   */
  Map<String, List<String>> queryParameters();

  /** Values captured by the route's path template ({@code /users/{id}}); empty when none. */
  Map<String, String> pathParameters();

  /** The response head, or null before the RESPONSE phase. */
  @Nullable HttpResponse response();

  /**
   * The trailers that ended the upstream's response body (gRPC's {@code grpc-status} and {@code
   * grpc-message}, say), or null while that body has not ended. Empty when the body ended without
   * trailers.
   *
   * <p>Set before the last step of a response body transform runs (a {@link BodyTransform#whole}
   * step, or the end step of a streaming transform), so that step may read them, and change them:
   * what the steps leave here is what the client gets, when the response's framing can carry
   * trailers (chunked HTTP/1.1 or HTTP/2, with the head already sent). A step that carries them in
   * the body instead (gRPC-Web's trailer frame) removes them here. The LOG phase sees them too.
   */
  default @Nullable HttpHeaders responseTrailers() {
    return null;
  }

  /** The client's address, resolved through the trusted proxies' forwarding headers. */
  InetSocketAddress clientAddress();

  /** The address of the connection's peer (the client or the last proxy). */
  InetSocketAddress peerAddress();

  /** Whether the client connection uses TLS. */
  boolean secure();

  /** The client connection's TLS session (for client certificates), or null on plain text. */
  default javax.net.ssl.@Nullable SSLSession sslSession() {
    return null;
  }

  /** The matched route's name, or null when no route matched. */
  @Nullable String routeName();

  /** The name of the route's service, or null for routes answered by plugins. */
  @Nullable String serviceName();

  /** The event loop that owns this exchange. */
  EventLoop eventLoop();

  /** State shared between plugins. */
  <T> @Nullable T get(ExchangeKey<T> key);

  <T> void set(ExchangeKey<T> key, T value);

  /** The response status sent to the client, or 0 before the response. */
  int status();

  /** Why the exchange failed, as a stable code (e.g. {@code upstream_connect_failed}), or null. */
  @Nullable String failureCode();

  /** Nanoseconds since the request head arrived ({@link System#nanoTime()} based). */
  long elapsedNanos();
}
