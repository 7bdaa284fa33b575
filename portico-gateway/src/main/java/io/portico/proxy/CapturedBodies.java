package io.portico.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.portico.config.AccessLogConfig;
import io.portico.config.RouteConfig;
import io.portico.observe.ExchangeRecord;
import org.jspecify.annotations.Nullable;

/**
 * The bodies one exchange keeps for the access log: the request's from its head, the response's
 * from the head that answers it (an upstream's or the gateway's own), each a {@link CapturedBody}
 * when its content type and coding are captured.
 *
 * <p>Made only for an exchange whose route keeps bodies ({@link #forRoute}), so other exchanges
 * copy nothing and allocate nothing for it. Confined to the exchange's event loop; holds copies
 * only, never a chunk of the exchange.
 */
final class CapturedBodies {

  private final AccessLogConfig.BodyCapture capture;
  private final @Nullable CapturedBody request;
  private @Nullable CapturedBody response;

  private CapturedBodies(AccessLogConfig.BodyCapture capture, HttpHeaders requestHeaders) {
    this.capture = capture;
    this.request = capture.request() ? CapturedBody.of(capture, requestHeaders) : null;
  }

  /**
   * The bodies a routed request keeps, or null when its route keeps none: the route is out of the
   * access log, or its {@code access-log-body} (by default the capture's {@code all-routes}) is
   * off.
   */
  static @Nullable CapturedBodies forRoute(
      AccessLogConfig.BodyCapture capture, RouteConfig route, HttpHeaders requestHeaders) {
    Boolean routeBody = route.accessLogBody();
    if (!route.accessLog() || !(routeBody == null ? capture.allRoutes() : routeBody)) {
      return null;
    }
    return new CapturedBodies(capture, requestHeaders);
  }

  /** Copies what still fits of a request chunk. */
  void request(ByteBuf chunk) {
    if (request != null) {
      request.add(chunk);
    }
  }

  /** Starts keeping the response body sent with a head of {@code headers}, when it is captured. */
  void responseHead(HttpHeaders headers) {
    if (capture.response()) {
      response = CapturedBody.of(capture, headers);
    }
  }

  /** Copies what still fits of a response chunk. */
  void response(ByteBuf chunk) {
    if (response != null) {
      response.add(chunk);
    }
  }

  /** The request body kept, for the record; null when none was. */
  ExchangeRecord.@Nullable Body requestBody() {
    return request == null ? null : request.body();
  }

  /** The response body kept, for the record; null when none was. */
  ExchangeRecord.@Nullable Body responseBody() {
    return response == null ? null : response.body();
  }
}
