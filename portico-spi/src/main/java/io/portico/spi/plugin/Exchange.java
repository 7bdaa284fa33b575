package io.portico.spi.plugin;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * One request and its response as a plugin sees it.
 *
 * <p>Threading: an exchange belongs to one event loop ({@link #eventLoop()}); every method must be
 * called on it. Plugins mutate {@link #request()} in request phases and {@link #response()} in the
 * response phase; the gateway forwards exactly what they leave there.
 */
public interface Exchange {

  /** The request id: the client's {@code X-Request-Id} when trusted, or a generated one. */
  String requestId();

  /** The request head. Headers are mutable in REWRITE and ACCESS. */
  HttpRequest request();

  /**
   * The normalized request path (no query), as the router matched it. A REWRITE plugin may change
   * the path forwarded upstream with {@link #forwardPath(String)}.
   */
  String path();

  /** The path (with query) that will be forwarded upstream. */
  String forwardPath();

  /** Replaces the path (and query) forwarded upstream. */
  void forwardPath(String pathAndQuery);

  /** Query parameters, decoded, in order; empty when none. */
  Map<String, List<String>> queryParameters();

  /** Values captured by the route's path template ({@code /users/{id}}); empty when none. */
  Map<String, String> pathParameters();

  /** The response head, or null before the RESPONSE phase. */
  HttpResponse response();

  /** The client's address, resolved through the trusted proxies' forwarding headers. */
  InetSocketAddress clientAddress();

  /** The address of the connection's peer (the client or the last proxy). */
  InetSocketAddress peerAddress();

  /** Whether the client connection uses TLS. */
  boolean secure();

  /** The client connection's TLS session (for client certificates), or null on plain text. */
  default javax.net.ssl.SSLSession sslSession() {
    return null;
  }

  /** The matched route's name, or null when no route matched. */
  String routeName();

  /** The name of the route's service, or null for routes answered by plugins. */
  String serviceName();

  /** The event loop that owns this exchange. */
  EventLoop eventLoop();

  /** State shared between plugins. */
  <T> T get(ExchangeKey<T> key);

  <T> void set(ExchangeKey<T> key, T value);

  /** The response status sent to the client, or 0 before the response. */
  int status();

  /** Why the exchange failed, as a stable code (e.g. {@code upstream_connect_failed}), or null. */
  String failureCode();

  /** Nanoseconds since the request head arrived ({@link System#nanoTime()} based). */
  long elapsedNanos();
}
