package io.portico.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.portico.upstream.Endpoint;
import java.util.List;
import java.util.Objects;

/**
 * What the gateway writes into a request head it sends upstream: the forwarding headers of its
 * {@code ForwardingPolicy} ({@code X-Forwarded-*}, {@code Forwarded}, {@code Via}), the request id,
 * no gateway session cookie ({@link GatewayCookies}), the forwarded path, HTTP/1.1, and per attempt
 * the {@code Host} for the endpoint (the client's when the route preserves it, else the service's,
 * else the endpoint's). The client's hop-by-hop and identity headers went when the exchange was
 * routed, before any plugin ran.
 *
 * <p>Stateless; called on the exchange's event loop, on heads the exchange owns.
 */
final class UpstreamHead {

  private UpstreamHead() {}

  /**
   * Rewrites {@code x}'s request head in place as it goes upstream: forwarding headers in, the new
   * URI, HTTP/1.1 (a body-less HTTP/1.0 request gets {@code Content-Length: 0}).
   *
   * @return whether a request plugin set the {@code Host}, which every attempt then keeps
   */
  static boolean prepare(ExchangeView x) {
    HttpRequest request = x.request;
    HttpHeaders h = request.headers();
    forwarding(x, h);
    GatewayCookies.strip(h);
    request.setUri(Objects.requireNonNull(x.forwardPath, "the exchange is routed"));
    if (!request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
      request.setProtocolVersion(HttpVersion.HTTP_1_1);
      if (!h.contains(HttpHeaderNames.CONTENT_LENGTH)
          && !HttpUtil.isTransferEncodingChunked(request)) {
        h.set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
      }
    }
    String current = h.get(HttpHeaderNames.HOST);
    return current != null && !current.equals(x.originalHost);
  }

  /** Sets the {@code Host} of an attempt's head for {@code endpoint}. */
  static void host(ExchangeView x, HttpRequest head, Endpoint endpoint) {
    if (x.routed().config().preserveHost() && x.originalHost != null) {
      head.headers().set(HttpHeaderNames.HOST, x.originalHost);
    } else {
      String hostHeader = x.upstreamService().hostHeader();
      head.headers()
          .set(HttpHeaderNames.HOST, hostHeader != null ? hostHeader : endpoint.authority());
    }
  }

  /**
   * An aggregate backend's head: the forwarding headers, the request id and the identity headers
   * the exchange's plugins set on the client's request.
   */
  static void forBackend(ExchangeView x, HttpRequest head) {
    HttpHeaders h = head.headers();
    forwarding(x, h);
    List<AsciiString> identityHeaders = x.snapshot.identityHeaders();
    HttpHeaders client = x.request.headers();
    for (int i = 0, n = identityHeaders.size(); i < n; i++) {
      List<String> values = client.getAll(identityHeaders.get(i));
      if (!values.isEmpty()) {
        h.set(identityHeaders.get(i), values);
      }
    }
  }

  private static void forwarding(ExchangeView x, HttpHeaders h) {
    x.snapshot.forwarding().apply(h, x.peerTrusted, x.conn.facts(), x.originalHost);
    h.set(x.snapshot.forwarding().requestIdHeader(), x.requestId);
  }
}
